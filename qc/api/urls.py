from django.urls import path
from rest_framework.routers import SimpleRouter

from qc.api import quality, views

router = SimpleRouter(use_regex_path=False)  # path() routes: <int:pk> as everywhere else
router.register("specifications", views.SpecificationViewSet, basename="api-qc-specification")
router.register("inspections", views.InspectionViewSet, basename="api-qc-inspection")
router.register("deviations", views.DeviationViewSet, basename="api-qc-deviation")
router.register("performance-studies", views.PerformanceStudyViewSet, basename="api-qc-performancestudy")
router.register("dispositions", views.DispositionViewSet, basename="api-qc-disposition")
router.register("control-materials", quality.ControlMaterialViewSet, basename="api-qc-controlmaterial")
router.register("control-results", quality.ControlResultViewSet, basename="api-qc-controlresult")

urlpatterns = [
    path("sampling-plan/", views.SamplingPlanView.as_view(), name="api-qc-sampling-plan"),
    path("batches/<str:lot_number>/coa/", views.CoaView.as_view(), name="api-qc-coa"),
    *router.urls,
]
