from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lab.models import Assay, Client, Sample


class ClientFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Client.Kind.choices, label=_("Kind"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Client
        fields = ["kind", "active"]


class AssayFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Assay
        fields = ["active"]


def _local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class SampleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Sample.Status.choices, label=_("Status"))
    client = django_filters.ModelChoiceFilter(queryset=Client.objects.all(), label=_("Client"))
    assay = django_filters.ModelChoiceFilter(queryset=Assay.objects.all(), label=_("Assay"))
    # Days as ranges of local time on the indexed column (``received_at__date`` would convert every row's
    # timestamp before comparing: a scan of a million samples).
    received_after = django_filters.DateFilter(field_name="received_at", method="filter_received_after",
                                               label=_("Received from"),
                                               widget=forms.DateInput(attrs={"type": "date"}))
    received_before = django_filters.DateFilter(field_name="received_at", method="filter_received_before",
                                                label=_("Received until"),
                                                widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Sample
        fields = ["status", "client", "assay", "received_after", "received_before"]

    def filter_received_after(self, queryset, name, value):
        return queryset.filter(received_at__gte=_local_midnight(value)) if value else queryset

    def filter_received_before(self, queryset, name, value):
        return queryset.filter(received_at__lt=_local_midnight(value + timedelta(days=1))) if value else queryset
