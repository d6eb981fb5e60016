"""Regulatory's master data pages (lims.masterdata): markets (the code, ISO 3166-1 alpha-2 or EU, is how every
other record and the API refer to a market, so it is fixed once created)."""

from lims.masterdata import MasterKind, register
from regulatory.models import Market

MARKET = register(MasterKind(
    Market, "markets", list_url="regulatory:market-list",
    fields=("code", "name", "name_zh", "authority", "min_remaining_shelf_life_days", "label_languages")))
