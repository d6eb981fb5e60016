from django.urls import path

from incubator import views

app_name = "incubator"
urlpatterns = [
    path("", views.PortfolioView.as_view(), name="portfolio"),
    path("projects/", views.ProjectList.as_view(), name="project-list"),
    path("projects/new/", views.ProjectCreate.as_view(), name="project-create"),
    path("projects/<int:pk>/", views.ProjectDetail.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectEdit.as_view(), name="project-edit"),
    path("projects/<int:pk>/stage/", views.ProjectMoveStage.as_view(), name="project-stage"),
    path("projects/<int:pk>/translation/", views.ProjectMoveTranslationStage.as_view(), name="project-translation"),
    path("projects/<int:pk>/milestones/new/", views.MilestoneCreate.as_view(), name="milestone-create"),
    path("projects/<int:pk>/funding/new/", views.FundingCreate.as_view(), name="funding-create"),
    path("projects/<int:pk>/kpis/new/", views.KPICreate.as_view(), name="kpi-create"),
    path("projects/<int:pk>/notes/new/", views.NoteCreate.as_view(), name="note-create"),
    path("milestones/", views.MilestoneList.as_view(), name="milestone-list"),
    path("milestones/<int:pk>/edit/", views.MilestoneEdit.as_view(), name="milestone-edit"),
    path("milestones/<int:pk>/complete/", views.MilestoneComplete.as_view(), name="milestone-complete"),
    path("funding/", views.FundingList.as_view(), name="funding-list"),
    path("kpis/<int:pk>/edit/", views.KPIEdit.as_view(), name="kpi-edit"),
]
