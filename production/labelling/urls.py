from django.urls import path

from . import views

app_name = "labelling"

urlpatterns = [
    path("print-jobs/", views.PrintJobList.as_view(), name="printjob-list"),
    path("batches/<str:lot_number>/", views.BatchLabels.as_view(), name="batch-labels"),
    path("batches/<str:lot_number>/print/", views.BatchPrint.as_view(), name="batch-print"),
    path("batches/<str:lot_number>/reconcile/", views.BatchReconcile.as_view(), name="batch-reconcile"),
]

# Mounted at the site root: the batch's label_url and the GS1 Digital Link resolver (public).
root_urlpatterns = [
    path("production/batches/<str:lot_number>/print-jobs/<int:pk>/labels.pdf", views.job_pdf_view,
         name="labelling-job-pdf"),
    path("01/<str:gtin>", views.Resolver.as_view(), name="labelling-resolver-product"),
    path("01/<str:gtin>/10/<str:lot>", views.Resolver.as_view(), name="labelling-resolver"),
    path("01/<str:gtin>/10/<str:lot>/21/<str:serial>", views.Resolver.as_view(), name="labelling-resolver-serial"),
]
