from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incubator.figures import API_FIGURES, figures_for
from incubator.models import Milestone, Project


class ProjectListSerializer(serializers.ListSerializer):
    """Reads the plant's, QC's, regulatory's and lab's figures of a whole page of projects at once: one query per
    figure, whatever the page size."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        self.child.context["figures"] = figures_for([p.pk for p in items])
        return super().to_representation(items)


class FigureField(serializers.Field):
    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, project):
        figures = self.parent.context.get("figures")
        if figures is None or project.pk not in figures:
            figures = figures_for([project.pk])
            self.parent.context["figures"] = {**(self.parent.context.get("figures") or {}), **figures}
        return figures[project.pk].get(self.field_name)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class CodesFigure(FigureField):
    def to_representation(self, project):
        return super().to_representation(project) or []


@extend_schema_field({"type": "integer", "nullable": True})
class CountFigure(FigureField):
    pass


class ProjectSerializer(serializers.ModelSerializer):
    """API.md: id*, code, name, focus_area, stage, translation_stage, entered_on, products*, batches_made*,
    units_released*, units_shipped*, markets_certified*, lab_samples* (more fields may be added; these keep their
    meaning). A changed ``translation_stage`` is a move (incubator.services.move_translation_stage): it needs a
    ``reason`` and the evidence, ``translation_milestone`` (a completed milestone of the project) or
    ``translation_document`` (a file, multipart)."""

    products = CodesFigure(help_text="Codes of the products that came from this project")
    batches_made = CountFigure(help_text="Batches of those products completed (made), pilot and commercial")
    units_released = CountFigure(help_text="Kits released by QA")
    units_shipped = CountFigure(help_text="Kits shipped (regulatory shipments)")
    markets_certified = CodesFigure(help_text="Market codes with a certification valid today")
    lab_samples = CountFigure(help_text="Samples the testing lab reported for the project's lab clients")
    translation_milestone = serializers.PrimaryKeyRelatedField(
        queryset=Milestone.objects.all(), write_only=True, required=False,
        help_text="Evidence of a translation_stage move: a completed milestone of this project")
    translation_document = serializers.FileField(
        write_only=True, required=False, help_text="Evidence of a translation_stage move: a document (multipart)")

    class Meta:
        model = Project
        fields = ["id", "code", "name", "focus_area", "stage", "translation_stage", "entered_on", *API_FIGURES,
                  "company", "team_lead", "space_m2", "shared_equipment", "translation_milestone",
                  "translation_document", "version"]
        read_only_fields = ["id", "version"]
        list_serializer_class = ProjectListSerializer
