from django.urls import path

from lims.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/status/", views.run_status, name="status"),
    path("<int:pk>/download/", views.run_download, name="download"),
]
