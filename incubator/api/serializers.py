from rest_framework import serializers

from incubator.models import Project


class ProjectSerializer(serializers.ModelSerializer):
    """API.md: id*, code, name, focus_area, stage, entered_on (more fields may be added; these keep meaning)."""

    class Meta:
        model = Project
        fields = ["id", "code", "name", "focus_area", "stage", "entered_on", "company", "team_lead", "space_m2",
                  "shared_equipment", "version"]
        read_only_fields = ["id", "version"]
