from django.urls import path
from rest_framework.routers import SimpleRouter

from production.monitoring.api.views import ExcursionViewSet, MonitoringPointViewSet, ReadingIngestView

router = SimpleRouter(use_regex_path=False)
router.register("monitoring-points", MonitoringPointViewSet, basename="monitoring-point")
router.register("excursions", ExcursionViewSet, basename="excursion")

urlpatterns = [
    path("readings/", ReadingIngestView.as_view(), name="monitoring-readings"),
    *router.urls,
]
