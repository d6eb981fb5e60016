from incubator import services
from incubator.api.serializers import ProjectSerializer
from incubator.filters import ProjectFilter
from incubator.models import Project
from lims.api.mixins import ServiceModelViewSet, reason_of


class ProjectViewSet(ServiceModelViewSet):
    """Incubator projects. A changed ``stage`` follows the life cycle applied → incubating → accelerating →
    graduated | exited (409 ``invalid_transition`` otherwise) and is recorded as a dated stage transition. A changed
    ``translation_stage`` moves one step along the pipeline with a reason and evidence (409
    ``invalid_translation_move``, 400 ``reason_required`` or a field error on ``milestone`` otherwise). The starred
    figures come from the production, QC, regulatory and lab records of the project's products."""
    lookup_value_converter = "int"

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    search_fields = ["code", "name", "company"]
    ordering_fields = ["code", "name", "entered_on", "stage"]

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items()
                if k not in ("translation_milestone", "translation_document")}
        serializer.instance = services.create_project(data, user=self.request.user, reason=reason_of(self.request))

    def perform_update(self, serializer):
        serializer.instance = services.update_project(
            serializer.instance, serializer.validated_data, user=self.request.user, reason=reason_of(self.request),
            expected_version=self.request.data.get("version"))
