from django.urls import path

from production import views
from production.masterdata import CLEAN_ROOM, LINE, MATERIAL, PROCESS_STEP, PRODUCT, REJECT_REASON

app_name = "production"

urlpatterns = [
    path("products/", views.ProductList.as_view(), name="product-list"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="product-detail"),
    *PRODUCT.urls(),
    *PROCESS_STEP.urls(),
    path("materials/", views.MaterialList.as_view(), name="material-list"),
    *MATERIAL.urls(),
    path("clean-rooms/", views.CleanRoomList.as_view(), name="cleanroom-list"),
    *CLEAN_ROOM.urls(),
    path("lines/", views.LineList.as_view(), name="line-list"),
    *LINE.urls(),
    path("reject-reasons/", views.RejectReasonList.as_view(), name="rejectreason-list"),
    *REJECT_REASON.urls(),
    path("material-lots/", views.MaterialLotList.as_view(), name="materiallot-list"),
    path("material-lots/new/", views.MaterialLotCreate.as_view(), name="materiallot-create"),
    path("material-lots/new/scan/", views.MaterialLotScan.as_view(), name="materiallot-scan"),
    path("material-lots/<int:pk>/", views.MaterialLotDetail.as_view(), name="materiallot-detail"),
    path("material-lots/<int:pk>/approve/", views.MaterialLotDecision.as_view(decision="approve"),
         name="materiallot-approve"),
    path("material-lots/<int:pk>/reject/", views.MaterialLotDecision.as_view(decision="reject"),
         name="materiallot-reject"),
    path("material-lots/<int:pk>/batches/", views.LotBatches.as_view(), name="materiallot-batches"),
    path("batches/", views.BatchList.as_view(), name="batch-list"),
    path("batches/new/", views.BatchCreate.as_view(), name="batch-create"),
    path("batches/<str:lot_number>/", views.BatchDetail.as_view(), name="batch-detail"),
    path("batches/<str:lot_number>/start/", views.BatchAction.as_view(action="start"), name="batch-start"),
    path("batches/<str:lot_number>/steps/", views.BatchAction.as_view(action="step"), name="batch-step"),
    path("batches/<str:lot_number>/steps-sheet/", views.BatchAction.as_view(action="steps"),
         name="batch-steps-sheet"),
    path("batches/<str:lot_number>/consume/", views.BatchAction.as_view(action="consume"), name="batch-consume"),
    path("batches/<str:lot_number>/pick-list/", views.PickList.as_view(), name="batch-pick-list"),
    path("batches/<str:lot_number>/complete/", views.BatchAction.as_view(action="complete"),
         name="batch-complete"),
    path("batches/<str:lot_number>/genealogy/", views.BatchGenealogy.as_view(), name="batch-genealogy"),
    path("batches/<str:lot_number>/story/", views.BatchStory.as_view(), name="batch-story"),
    path("batches/<str:lot_number>/record.pdf", views.batch_record_pdf_view, name="batch-record-pdf"),
    path("capacity/", views.CapacityView.as_view(), name="capacity"),
]
