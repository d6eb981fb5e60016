from django.urls import path

from production.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.ExcursionList.as_view(), name="excursion-list"),
    path("excursions/<int:pk>/", views.ExcursionDetail.as_view(), name="excursion-detail"),
    path("points/", views.PointList.as_view(), name="point-list"),
    path("points/<int:pk>/", views.PointTrend.as_view(), name="point-detail"),
    path("rooms/<int:pk>/", views.RoomSummary.as_view(), name="room-summary"),
    path("limits/", views.LimitList.as_view(), name="limit-list"),
    path("limits/new/", views.LimitCreate.as_view(), name="limit-create"),
    path("readings/upload/", views.ReadingUpload.as_view(), name="reading-upload"),
]
