"""FilterSets shared by the pages and the API (CONTRIBUTING: filters.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from incubator.models import Project
from production.models import Product
from regulatory.models import Certification, MarketRule, Shipment


def _project_filter(field_name):
    """The incubator project's records (issue 20: the project page's numbers link to these lists)."""
    return django_filters.ModelChoiceFilter(field_name=field_name, queryset=Project.objects.all(),
                                            label=_("Incubator project"))


class CertificationFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))
    project = _project_filter("product__project")

    class Meta:
        model = Certification
        fields = ["product", "market", "kind", "status", "project"]


class MarketRuleFilter(django_filters.FilterSet):
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))

    class Meta:
        model = MarketRule
        fields = ["market"]


class ShipmentFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(field_name="batch__lot_number", label=_("lot number"))
    market = django_filters.CharFilter(field_name="market__code", label=_("market"))
    product = django_filters.ModelChoiceFilter(field_name="batch__product", queryset=Product.objects.all(),
                                               label=_("Product"))
    project = _project_filter("batch__product__project")

    class Meta:
        model = Shipment
        fields = ["batch", "market", "product", "project"]
