from django.urls import path

from regulatory import views

app_name = "regulatory"

urlpatterns = [
    path("markets/", views.MarketList.as_view(), name="market-list"),
    path("rules/", views.RuleList.as_view(), name="rule-list"),
    path("certifications/", views.CertificationList.as_view(), name="certification-list"),
    path("certifications/new/", views.CertificationCreate.as_view(), name="certification-create"),
    path("certifications/<int:pk>/", views.CertificationDetail.as_view(), name="certification-detail"),
    path("certifications/<int:pk>/<slug:action>/", views.CertificationAction.as_view(),
         name="certification-action"),
    path("matrix/", views.MatrixPage.as_view(), name="matrix"),
    path("eligibility/", views.EligibilityPage.as_view(), name="eligibility"),
    path("shippable/", views.SummaryPage.as_view(), name="summary"),
    path("dossiers/", views.DossierList.as_view(), name="dossier-list"),
    path("dossiers/<int:pk>/", views.DossierDetail.as_view(), name="dossier-detail"),
    path("dossiers/<int:pk>/studies/", views.DossierCiteStudy.as_view(), name="dossier-cite-study"),
    path("dossiers/<int:pk>/submit/", views.DossierSubmit.as_view(), name="dossier-submit"),
    path("dossiers/<int:pk>/<slug:action>/", views.DossierAction.as_view(), name="dossier-action"),
    path("shipments/", views.ShipmentList.as_view(), name="shipment-list"),
    path("shipments/new/", views.ShipmentCreate.as_view(), name="shipment-create"),
]
