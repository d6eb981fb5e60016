"""The lab's master data pages (lims.masterdata): clients and assays."""

from lab.models import Assay, Client
from lims.masterdata import MasterKind, register

CLIENT = register(MasterKind(
    Client, "clients", list_url="lab:client-list", after_save="object",
    fields=("code", "name", "name_zh", "kind", "project", "contact", "active")))

ASSAY = register(MasterKind(
    Assay, "assays", list_url="lab:assay-list", after_save="object",
    fields=("code", "name", "name_zh", "method", "tat_target_hours", "price", "result_type", "unit", "reference_low",
            "reference_high", "active")))
