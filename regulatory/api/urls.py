from django.urls import path
from rest_framework.routers import SimpleRouter

from regulatory.api import views

router = SimpleRouter(use_regex_path=False)  # path() routes: <int:pk>, <str:code>
router.register("markets", views.MarketViewSet, basename="api-regulatory-market")
router.register("market-rules", views.MarketRuleViewSet, basename="api-regulatory-marketrule")
router.register("certification-kinds", views.CertificationKindViewSet, basename="api-regulatory-certificationkind")
router.register("certifications", views.CertificationViewSet, basename="api-regulatory-certification")
router.register("dossiers", views.DossierViewSet, basename="api-regulatory-dossier")
router.register("shipments", views.ShipmentViewSet, basename="api-regulatory-shipment")
router.register("batch-verifications", views.BatchVerificationViewSet, basename="api-regulatory-batchverification")

urlpatterns = [
    path("eligibility/", views.EligibilityView.as_view(), name="api-regulatory-eligibility"),
    path("udi-export/", views.UdiExportView.as_view(), name="api-regulatory-udi-export"),
    *router.urls,
]
