from django.urls import path

from regulatory import views
from regulatory.masterdata import MARKET

app_name = "regulatory"

urlpatterns = [
    path("markets/", views.MarketList.as_view(), name="market-list"),
    *MARKET.urls(),
    path("rules/", views.RuleList.as_view(), name="rule-list"),
    path("certifications/", views.CertificationList.as_view(), name="certification-list"),
    path("certifications/new/", views.CertificationCreate.as_view(), name="certification-create"),
    path("certifications/<int:pk>/", views.CertificationDetail.as_view(), name="certification-detail"),
    path("certifications/<int:pk>/edit/", views.CertificationEdit.as_view(), name="certification-edit"),
    path("certifications/<int:pk>/<slug:action>/", views.CertificationAction.as_view(),
         name="certification-action"),
    path("matrix/", views.MatrixPage.as_view(), name="matrix"),
    path("eligibility/", views.EligibilityPage.as_view(), name="eligibility"),
    path("shippable/", views.SummaryPage.as_view(), name="summary"),
    path("dossiers/", views.DossierList.as_view(), name="dossier-list"),
    path("dossiers/new/", views.DossierCreate.as_view(), name="dossier-create"),
    path("dossiers/<int:pk>/", views.DossierDetail.as_view(), name="dossier-detail"),
    path("dossiers/<int:pk>/studies/", views.DossierCiteStudy.as_view(), name="dossier-cite-study"),
    path("dossiers/<int:pk>/bundle/", views.DossierBundleTask.as_view(), name="dossier-bundle-task"),
    path("dossiers/<int:pk>/submit/", views.DossierSubmit.as_view(), name="dossier-submit"),
    path("dossiers/<int:pk>/<slug:action>/", views.DossierAction.as_view(), name="dossier-action"),
    path("shipments/", views.ShipmentList.as_view(), name="shipment-list"),
    path("shipments/new/", views.ShipmentCreate.as_view(), name="shipment-create"),
    path("shipments/<int:pk>/", views.ShipmentDetail.as_view(), name="shipment-detail"),
    path("shipments/<int:pk>/packing-list.pdf", views.ShipmentPackingList.as_view(), name="shipment-packing-list"),
    path("recall/", views.RecallList.as_view(), name="recall"),
    path("batch-verifications/", views.VerificationList.as_view(), name="verification-list"),
    path("batch-verifications/new/", views.VerificationCreate.as_view(), name="verification-create"),
    path("batch-verifications/<int:pk>/", views.VerificationDetail.as_view(), name="verification-detail"),
    path("batch-verifications/<int:pk>/edit/", views.VerificationEdit.as_view(), name="verification-edit"),
    path("batch-verifications/<int:pk>/decide/", views.VerificationDecide.as_view(), name="verification-decide"),
    path("batch-verifications/<int:pk>/documents/<int:doc>/", views.VerificationDocumentFile.as_view(),
         name="verification-document"),
    path("udi/", views.UdiExportPage.as_view(), name="udi-export"),
]
