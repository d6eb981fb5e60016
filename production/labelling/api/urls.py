from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("printers", views.PrinterViewSet, basename="api-labelling-printer")

urlpatterns = [
    path("material-lots/<int:pk>/print-jobs/", views.MaterialLotPrintJobsView.as_view(),
         name="api-labelling-material-print-jobs"),
    path("print-jobs/<int:pk>/send/", views.SendJobView.as_view(), name="api-labelling-job-send"),
    path("labels/<str:lot_number>/", views.BatchLabelsView.as_view(), name="api-labelling-batch-labels"),
    path("labels/<str:lot_number>/print-jobs/", views.PrintJobsView.as_view(), name="api-labelling-print-jobs"),
    path("labels/<str:lot_number>/reconciliation/", views.ReconciliationView.as_view(),
         name="api-labelling-reconciliation"),
]
urlpatterns += router.urls
