from django.urls import path

from . import views

urlpatterns = [
    path("labels/<str:lot_number>/", views.BatchLabelsView.as_view(), name="api-labelling-batch-labels"),
    path("labels/<str:lot_number>/print-jobs/", views.PrintJobsView.as_view(), name="api-labelling-print-jobs"),
    path("labels/<str:lot_number>/reconciliation/", views.ReconciliationView.as_view(),
         name="api-labelling-reconciliation"),
]
