from django.urls import path

from qc import views
from qc.masterdata import SPECIFICATION
from qc.pages.urls import urlpatterns as statistics_urlpatterns

app_name = "qc"

urlpatterns = [
    path("specifications/", views.SpecificationList.as_view(), name="specification-list"),
    *SPECIFICATION.urls(),
    path("inspections/", views.InspectionList.as_view(), name="inspection-list"),
    path("inspections/new/", views.InspectionCreate.as_view(), name="inspection-create"),
    path("inspections/<int:pk>/", views.InspectionDetail.as_view(), name="inspection-detail"),
    path("inspections/<int:pk>/review/", views.InspectionSign.as_view(action="review"), name="inspection-review"),
    path("inspections/<int:pk>/invalidate/", views.InspectionInvalidate.as_view(), name="inspection-invalidate"),
    path("inspections/<int:pk>/approve/", views.InspectionSign.as_view(action="approve"),
         name="inspection-approve"),
    path("deviations/", views.DeviationList.as_view(), name="deviation-list"),
    path("deviations/new/", views.DeviationCreate.as_view(), name="deviation-create"),
    path("deviations/<int:pk>/", views.DeviationDetail.as_view(), name="deviation-detail"),
    path("deviations/<int:pk>/close/", views.DeviationClose.as_view(), name="deviation-close"),
    path("deviations/<int:pk>/investigate/", views.DeviationInvestigate.as_view(),
         name="deviation-investigate"),
    path("deviations/<int:pk>/capa/", views.CapaCreate.as_view(), name="deviation-capa"),
    path("dispositions/", views.DispositionList.as_view(), name="disposition-list"),
    path("dispositions/new/", views.DispositionCreate.as_view(), name="disposition-create"),
    path("dispositions/sign/", views.DispositionSign.as_view(), name="disposition-sign"),
    path("dispositions/<int:pk>/", views.DispositionDetail.as_view(), name="disposition-detail"),
    path("performance-studies/", views.PerformanceStudyList.as_view(), name="performancestudy-list"),
    path("batches/<str:lot_number>/coa.pdf", views.CoaPage.as_view(), name="batch-coa"),
    *statistics_urlpatterns,  # issue 17: switching, control charts, stability, performance studies
]
