import django_filters
from django.utils.translation import gettext_lazy as _

from production.models import CleanRoom
from production.monitoring.models import Excursion, Limit, MonitoringPoint, Parameter


class ExcursionFilter(django_filters.FilterSet):
    clean_room = django_filters.ModelChoiceFilter(field_name="point__clean_room", queryset=CleanRoom.objects.all(),
                                                  label=_("clean room"))
    point = django_filters.ModelChoiceFilter(queryset=MonitoringPoint.objects.all(), label=_("monitoring point"))
    parameter = django_filters.ChoiceFilter(choices=Parameter.choices, label=_("parameter"))
    level = django_filters.ChoiceFilter(choices=Excursion.Level.choices, label=_("level"))
    assessed = django_filters.BooleanFilter(field_name="assessment", lookup_expr="isnull", exclude=True,
                                            label=_("assessed"))
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label=_("open"))
    batch = django_filters.CharFilter(field_name="batch_links__batch__lot_number", label=_("batch (lot number)"),
                                      distinct=True)
    started_after = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="gte",
                                                     label=_("started after"))
    started_before = django_filters.IsoDateTimeFilter(field_name="started_at", lookup_expr="lte",
                                                      label=_("started before"))

    class Meta:
        model = Excursion
        fields = ["clean_room", "point", "parameter", "level", "assessed", "open", "batch"]


class PointFilter(django_filters.FilterSet):
    class Meta:
        model = MonitoringPoint
        fields = ["clean_room", "active"]


class LimitFilter(django_filters.FilterSet):
    parameter = django_filters.ChoiceFilter(choices=Parameter.choices, label=_("parameter"))

    class Meta:
        model = Limit
        fields = ["clean_room", "parameter"]

