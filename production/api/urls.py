from django.urls import path
from rest_framework.routers import SimpleRouter

from production.api import views

router = SimpleRouter(use_regex_path=False)  # path() routes: <int:pk>, <str:lot_number>
router.register("products", views.ProductViewSet, basename="api-production-product")
router.register("materials", views.MaterialViewSet, basename="api-production-material")
router.register("reject-reasons", views.RejectReasonViewSet, basename="api-production-rejectreason")
router.register("clean-rooms", views.CleanRoomViewSet, basename="api-production-cleanroom")
router.register("lines", views.LineViewSet, basename="api-production-line")
router.register("material-lots", views.MaterialLotViewSet, basename="api-production-materiallot")
router.register("batches", views.BatchViewSet, basename="api-production-batch")

urlpatterns = [
    path("capacity/plan/", views.CapacityPlanView.as_view(), name="api-production-capacity-plan"),
    path("capacity/output/", views.CapacityOutputView.as_view(), name="api-production-capacity-output"),
    *router.urls,
]
