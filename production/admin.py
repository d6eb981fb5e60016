"""Read-only admin registrations: changes go through production.services (CONTRIBUTING: admin.py)."""

from django.contrib import admin

from lims.admin import ReadOnlyAdmin
from production import models


@admin.register(models.Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "gtin", "tests_per_kit", "shelf_life_months")
    search_fields = ("code", "name", "gtin")


@admin.register(models.MaterialLot)
class MaterialLotAdmin(ReadOnlyAdmin):
    list_display = ("supplier_lot", "material", "status", "expiry_date", "quantity_remaining")
    list_filter = ("status",)
    list_select_related = ("material",)


@admin.register(models.Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("lot_number", "product", "line", "status", "manufactured_on", "quantity_made")
    list_filter = ("status", "line")
    list_select_related = ("product", "line")
    search_fields = ("lot_number",)


for model in (models.Material, models.BillOfMaterials, models.BomLine, models.ProcessStep, models.RejectReason,
              models.Plant, models.CleanRoom, models.Line, models.BatchStep, models.BatchReject, models.Consumption):
    admin.site.register(model, ReadOnlyAdmin)
