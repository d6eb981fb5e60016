"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from production.models import Product
from qc.models import Deviation, Disposition, Inspection, PerformanceStudy, Specification


def _project_filter(field_name):
    """The incubator project's records (issue 20: the project page's numbers link to these lists)."""
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=Project.objects.all(),
                                            label=_("Incubator project"))


class SpecificationFilter(django_filters.FilterSet):
    class Meta:
        model = Specification
        fields = ["product", "stage", "kind", "required_for_release"]


class InspectionFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))
    product = django_filters.ModelChoiceFilter(field_name="batch__product", queryset=Product.objects.all(),
                                               label=_("Product"))
    project = _project_filter("batch__product__project")

    class Meta:
        model = Inspection
        fields = ["batch", "stage", "status", "product", "project"]


class DeviationFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))
    product = django_filters.ModelChoiceFilter(field_name="batch__product", queryset=Product.objects.all(),
                                               label=_("Product"))
    project = _project_filter("batch__product__project")
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open (not closed)"))

    class Meta:
        model = Deviation
        fields = ["batch", "kind", "status", "product", "project", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Deviation.Status.CLOSED
        return queryset.exclude(status=closed) if value else queryset.filter(status=closed)


class PerformanceStudyFilter(django_filters.FilterSet):
    project = _project_filter("product__project")

    class Meta:
        model = PerformanceStudy
        fields = ["product", "kind", "ci_method", "project"]


class DispositionFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))

    class Meta:
        model = Disposition
        fields = ["batch", "decision"]
