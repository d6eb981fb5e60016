"""Production's master data pages (lims.masterdata): products (created with the standard process, as the API
does), their process steps (on the product's page), materials, clean rooms, lines and reject reasons."""

from lims.masterdata import MasterKind, register
from production import services
from production.models import CleanRoom, Line, Material, ProcessStep, Product, RejectReason

PRODUCT = register(MasterKind(
    Product, "products", list_url="production:product-list", create=services.create_product, after_save="object",
    fields=("code", "name", "name_zh", "gtin", "tests_per_kit", "shelf_life_months", "storage_min_c",
            "storage_max_c", "ifu_version", "basic_udi_di", "ivdr_class", "project")))

PROCESS_STEP = register(MasterKind(
    ProcessStep, "steps", list_url="production:product-list", parent="product", parent_segment="products",
    fields=("product", "sequence", "code", "name", "name_zh")))

MATERIAL = register(MasterKind(
    Material, "materials", list_url="production:material-list",
    fields=("code", "name", "name_zh", "category", "unit", "supplier_gtin")))

CLEAN_ROOM = register(MasterKind(
    CleanRoom, "clean-rooms", list_url="production:cleanroom-list",
    fields=("code", "name", "name_zh", "iso_class", "area_m2")))

LINE = register(MasterKind(
    Line, "lines", list_url="production:line-list",
    fields=("code", "name", "name_zh", "kind", "clean_room", "rated_units_per_hour", "scheduled_hours_per_day",
            "active")))

REJECT_REASON = register(MasterKind(
    RejectReason, "reject-reasons", list_url="production:rejectreason-list",
    fields=("code", "name", "name_zh", "active")))
