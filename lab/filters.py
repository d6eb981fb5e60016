import django_filters
from django import forms
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


class SampleFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Sample.Status.choices, label=_("Status"))
    client = django_filters.ModelChoiceFilter(queryset=Client.objects.all(), label=_("Client"))
    assay = django_filters.ModelChoiceFilter(queryset=Assay.objects.all(), label=_("Assay"))
    received_after = django_filters.DateFilter(field_name="received_at", lookup_expr="date__gte",
                                               label=_("Received from"),
                                               widget=forms.DateInput(attrs={"type": "date"}))
    received_before = django_filters.DateFilter(field_name="received_at", lookup_expr="date__lte",
                                                label=_("Received until"),
                                                widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Sample
        fields = ["status", "client", "assay", "received_after", "received_before"]
