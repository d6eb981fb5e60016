from django.urls import path
from rest_framework.routers import SimpleRouter

from lab.api.views import AssayViewSet, ClientViewSet, SampleViewSet, ThroughputView

router = SimpleRouter(use_regex_path=False)  # path() routes: <int:pk> as everywhere else
router.register("clients", ClientViewSet, basename="lab-client")
router.register("assays", AssayViewSet, basename="lab-assay")
router.register("samples", SampleViewSet, basename="lab-sample")
urlpatterns = [path("throughput/", ThroughputView.as_view(), name="lab-throughput"), *router.urls]
