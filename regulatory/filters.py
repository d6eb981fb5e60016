"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from production.models import Product
from regulatory.models import BatchVerification, Certification, MarketRule, Shipment


def _project_filter(field_name):
    """The incubator project's records (issue 20: the project page's numbers link to these lists)."""
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=Project.objects.all(),
                                            label=_("Incubator project"))


class CertificationFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("Market"))
    project = _project_filter("product__project")

    class Meta:
        model = Certification
        fields = ["product", "market", "kind", "status", "project"]


class MarketRuleFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("Market"))

    class Meta:
        model = MarketRule
        fields = ["market"]


class ShipmentFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("Lot number"))
    market = django_filters.CharFilter(field_name="market__code", label=_("Market"))
    product = django_filters.ModelChoiceFilter(field_name="batch__product", queryset=Product.objects.all(),
                                               label=_("Product"))
    project = _project_filter("batch__product__project")

    class Meta:
        model = Shipment
        fields = ["batch", "market", "product", "project"]


class RecallFilter(django_filters.FilterSet):
    """Shipments of a batch (lot number) or of every batch a component lot went into (production.genealogy): the
    component lot by its internal code (ML000123), its id, or the supplier's lot."""

    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("Lot number"))
    component_lot = django_filters.CharFilter(method="filter_component_lot", label=_("Component lot"))

    class Meta:
        model = Shipment
        fields = ["batch", "component_lot"]

    def filter_component_lot(self, queryset, name, value):
        from production.genealogy import lot_batches
        from production.models import MaterialLot

        value = value.strip()
        pk = MaterialLot.pk_from_internal_lot(value) or (int(value) if value.isdigit() else None)
        lots = MaterialLot.objects.filter(pk=pk) if pk else MaterialLot.objects.filter(supplier_lot=value)
        batch_ids = set()
        for lot in lots[:50]:
            batch_ids.update(lot_batches(lot).values_list("pk", flat=True))
        return queryset.filter(batch_id__in=batch_ids)


class VerificationFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("Lot number"))

    class Meta:
        model = BatchVerification
        fields = ["batch", "status"]
