from django.urls import path

from lab import views
from lab.labels import SampleTubeLabel
from lab.masterdata import ASSAY, CLIENT

app_name = "lab"
urlpatterns = [
    path("", views.ThroughputDashboard.as_view(), name="throughput"),
    path("clients/", views.ClientList.as_view(), name="client-list"),
    path("clients/<int:pk>/", views.ClientDetail.as_view(), name="client-detail"),
    *CLIENT.urls(),
    path("assays/", views.AssayList.as_view(), name="assay-list"),
    path("assays/<int:pk>/", views.AssayDetail.as_view(), name="assay-detail"),
    *ASSAY.urls(),
    path("samples/", views.SampleList.as_view(), name="sample-list"),
    path("samples/new/", views.SampleReceive.as_view(), name="sample-receive"),
    path("samples/import/", views.SampleImport.as_view(), name="sample-import"),
    path("samples/import/template.<str:fmt>", views.ImportTemplate.as_view(), name="import-template"),
    path("samples/<int:pk>/", views.SampleDetail.as_view(), name="sample-detail"),
    path("samples/<int:pk>/start/", views.SampleStart.as_view(), name="sample-start"),
    path("samples/<int:pk>/report/", views.SampleReport.as_view(), name="sample-report"),
    path("samples/<int:pk>/reject/", views.SampleReject.as_view(), name="sample-reject"),
    path("samples/<int:pk>/correct/", views.SampleCorrect.as_view(), name="sample-correct"),
    path("samples/<int:pk>/review/", views.SampleReview.as_view(), name="sample-review"),
    path("samples/<int:pk>/report.pdf", views.SampleReportPdf.as_view(), name="sample-report-pdf"),
    path("samples/<int:pk>/tube-label/", SampleTubeLabel.as_view(), name="sample-tube-label"),
]
