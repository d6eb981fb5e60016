"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qc.models import Deviation, Disposition, Inspection, Specification


class StyledFilterSet(django_filters.FilterSet):
    """Bootstrap classes on every filter input of the list pages."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            css = "form-select form-select-sm" if isinstance(widget, forms.Select) else "form-control form-control-sm"
            widget.attrs.setdefault("class", css)
        return form


class SpecificationFilter(StyledFilterSet):
    class Meta:
        model = Specification
        fields = ["product", "stage", "kind", "required_for_release"]


class InspectionFilter(StyledFilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Inspection
        fields = ["batch", "stage", "status"]


class DeviationFilter(StyledFilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Deviation
        fields = ["batch", "kind", "status"]


class DispositionFilter(StyledFilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Disposition
        fields = ["batch", "decision"]
