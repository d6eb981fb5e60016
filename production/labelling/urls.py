from django.urls import path

from . import views

app_name = "labelling"

urlpatterns = [
    path("print-jobs/", views.PrintJobList.as_view(), name="printjob-list"),
    path("batches/<str:lot_number>/", views.BatchLabels.as_view(), name="batch-labels"),
    path("batches/<str:lot_number>/print/", views.BatchPrint.as_view(), name="batch-print"),
    path("batches/<str:lot_number>/reconcile/", views.BatchReconcile.as_view(), name="batch-reconcile"),
    path("print-jobs/<int:pk>/output/", views.JobOutput.as_view(), name="job-output"),
    path("material-lots/<int:pk>/print/", views.MaterialLotPrint.as_view(), name="material-print"),
    path("printers/", views.PrinterList.as_view(), name="printer-list"),
    path("printers/new/", views.PrinterCreate.as_view(), name="printer-create"),
    path("printers/<int:pk>/", views.PrinterEdit.as_view(), name="printer-detail"),
]

# Mounted at the site root: the batch's label_url and the GS1 Digital Link resolver (public).
root_urlpatterns = [
    path("production/batches/<str:lot_number>/print-jobs/<int:pk>/labels.pdf", views.job_pdf_view,
         name="labelling-job-pdf"),
    path("production/batches/<str:key>/print-jobs/<int:pk>/labels.zpl", views.job_zpl_view,
         name="labelling-job-zpl"),
    path("production/material-lots/<int:key>/print-jobs/<int:pk>/labels.pdf", views.material_job_pdf_view,
         name="labelling-material-job-pdf"),
    path("production/material-lots/<int:key>/print-jobs/<int:pk>/labels.zpl", views.material_job_zpl_view,
         name="labelling-material-job-zpl"),
    path("01/<str:gtin>", views.Resolver.as_view(), name="labelling-resolver-product"),
    path("01/<str:gtin>/10/<str:lot>", views.Resolver.as_view(), name="labelling-resolver"),
    path("01/<str:gtin>/10/<str:lot>/21/<str:serial>", views.Resolver.as_view(), name="labelling-resolver-serial"),
]
