"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from regulatory.models import Certification, MarketRule, Shipment


class CertificationFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))

    class Meta:
        model = Certification
        fields = ["product", "market", "kind", "status"]


class MarketRuleFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))

    class Meta:
        model = MarketRule
        fields = ["market"]


class ShipmentFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))

    class Meta:
        model = Shipment
        fields = ["batch", "market"]
