"""Writes through the API go through services with the acting user and the ``reason`` of the body; edits carry
``version`` for optimistic locking (API.md, General)."""

from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from lims.services import create_record, update_record


def reason_of(request) -> str:
    data = request.data if hasattr(request, "data") else {}
    value = data.get("reason", "") if isinstance(data, dict) else ""
    return str(value or "").strip()


class ServiceModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """List, read, create and edit through ``lims.services``; no deletion (GMP records are not deleted)."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def perform_create(self, serializer):
        serializer.instance = create_record(
            serializer.Meta.model, serializer.validated_data, user=self.request.user, reason=reason_of(self.request)
        )

    def perform_update(self, serializer):
        serializer.instance = update_record(
            serializer.instance, serializer.validated_data, user=self.request.user, reason=reason_of(self.request),
            expected_version=self.request.data.get("version"),
        )

    def update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return super().update(request, *args, **kwargs)


def created(serializer_class, instance, request):
    return Response(serializer_class(instance, context={"request": request}).data, status=status.HTTP_201_CREATED)
