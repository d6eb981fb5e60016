"""FilterSets of the monitoring pages and API, each filter with its capitalised, translated label."""

import django_filters
from django.utils.translation import gettext_lazy as _

from production.models import CleanRoom
from production.monitoring.models import Excursion, Limit, MonitoringPoint, Parameter


class ExcursionFilter(django_filters.FilterSet):
    clean_room = django_filters.ModelChoiceFilter(field_name="point__clean_room", queryset=CleanRoom.objects.all(),
                                                  label=_("Clean room"))
    point = django_filters.ModelChoiceFilter(queryset=MonitoringPoint.objects.all(), label=_("Monitoring point"))
    parameter = django_filters.ChoiceFilter(choices=Parameter.choices, label=_("Parameter"))
    level = django_filters.ChoiceFilter(choices=Excursion.Level.choices, label=_("Level"))
    assessed = django_filters.BooleanFilter(field_name="assessment", lookup_expr="isnull", exclude=True,
                                            label=_("Assessed"))
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("Open"))
    batch = django_filters.CharFilter(field_name="batch_links__batch__lot_number", label=_("Batch (lot number)"),
                                      distinct=True)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte",
                                                     label=_("Started after"))
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lte",
                                                      label=_("Started before"))

    class Meta:
        model = Excursion
        fields = ["clean_room", "point", "parameter", "level", "assessed", "open", "batch"]


class PointFilter(django_filters.FilterSet):
    clean_room = django_filters.ModelChoiceFilter(queryset=CleanRoom.objects.all(), label=_("Clean room"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = MonitoringPoint
        fields = ["clean_room", "active"]


class LimitFilter(django_filters.FilterSet):
    clean_room = django_filters.ModelChoiceFilter(queryset=CleanRoom.objects.all(), label=_("Clean room"))
    parameter = django_filters.ChoiceFilter(choices=Parameter.choices, label=_("Parameter"))

    class Meta:
        model = Limit
        fields = ["clean_room", "parameter"]

