"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py). Every filter is declared with its label
(capitalised, translated): one generated from ``Meta.fields`` would take the model field's lower-case verbose name."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from production.models import Batch, CleanRoom, Line, Material, MaterialLot, Product


class ProductFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Incubator project"))

    class Meta:
        model = Product
        fields = ["project"]


class MaterialFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(choices=Material.Category.choices, label=_("Category"))

    class Meta:
        model = Material
        fields = ["category"]


class CleanRoomFilter(django_filters.FilterSet):
    iso_class = django_filters.NumberFilter(label=_("ISO class"))

    class Meta:
        model = CleanRoom
        fields = ["iso_class"]


class LineFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Line.Kind.choices, label=_("Kind"))
    clean_room = django_filters.ModelChoiceFilter(queryset=CleanRoom.objects.all(), label=_("Clean room"))
    active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Line
        fields = ["kind", "clean_room", "active"]


class MaterialLotFilter(django_filters.FilterSet):
    material = django_filters.ModelChoiceFilter(queryset=Material.objects.all(), label=_("Material"))
    status = django_filters.ChoiceFilter(choices=MaterialLot.Status.choices, label=_("Status"))
    expiring_before = django_filters.DateFilter(
        field_name="expiry_date", lookup_expr="lte", label=_("Expiring on or before"),
        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = MaterialLot
        fields = ["material", "status"]


class BatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Batch.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=Batch.Kind.choices, label=_("Kind"))
    product = django_filters.ModelChoiceFilter(queryset=Product.objects.all(), label=_("Product"))
    line = django_filters.ModelChoiceFilter(queryset=Line.objects.all(), label=_("Line"))
    lot_number = django_filters.CharFilter(lookup_expr="icontains", label=_("Lot number"))
    manufactured_after = django_filters.DateFilter(
        field_name="manufactured_on", lookup_expr="gte", label=_("Manufactured on or after"),
        widget=forms.DateInput(attrs={"type": "date"}))
    manufactured_before = django_filters.DateFilter(
        field_name="manufactured_on", lookup_expr="lte", label=_("Manufactured on or before"),
        widget=forms.DateInput(attrs={"type": "date"}))
    # The incubator project's batches (issue 20: the project page's numbers link here).
    project = django_filters.ModelChoiceFilter(field_name="product__project", queryset=Project.objects.all(),
                                               label=_("Incubator project"))

    class Meta:
        model = Batch
        fields = ["status", "kind", "product", "line", "project"]
