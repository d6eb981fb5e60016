"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from production.models import Batch, CleanRoom, Line, Material, MaterialLot, Product


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


class ProductFilter(StyledFilterSet):
    class Meta:
        model = Product
        fields = ["project"]


class MaterialFilter(StyledFilterSet):
    class Meta:
        model = Material
        fields = ["category"]


class CleanRoomFilter(StyledFilterSet):
    class Meta:
        model = CleanRoom
        fields = ["iso_class"]


class LineFilter(StyledFilterSet):
    class Meta:
        model = Line
        fields = ["kind", "clean_room", "active"]


class MaterialLotFilter(StyledFilterSet):
    expiring_before = django_filters.DateFilter(
        field_name="expiry_date", lookup_expr="lte", label=_("Expiring on or before"),
        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = MaterialLot
        fields = ["material", "status"]


class BatchFilter(StyledFilterSet):
    lot_number = django_filters.CharFilter(lookup_expr="icontains", label=_("Lot number"))
    manufactured_after = django_filters.DateFilter(
        field_name="manufactured_on", lookup_expr="gte", label=_("Manufactured on or after"),
        widget=forms.DateInput(attrs={"type": "date"}))
    manufactured_before = django_filters.DateFilter(
        field_name="manufactured_on", lookup_expr="lte", label=_("Manufactured on or before"),
        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Batch
        fields = ["status", "product", "line"]
