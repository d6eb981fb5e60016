"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qc.models import Deviation, Disposition, Inspection, Specification


class SpecificationFilter(django_filters.FilterSet):
    class Meta:
        model = Specification
        fields = ["product", "stage", "kind", "required_for_release"]


class InspectionFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Inspection
        fields = ["batch", "stage", "status"]


class DeviationFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))
    open = django_filters.BooleanFilter(label=_("Not closed"), method="filter_open")

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = queryset.filter(status=Deviation.Status.CLOSED)
        return queryset.exclude(status=Deviation.Status.CLOSED) if value else closed

    class Meta:
        model = Deviation
        fields = ["batch", "kind", "status"]


class DispositionFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Disposition
        fields = ["batch", "decision"]
