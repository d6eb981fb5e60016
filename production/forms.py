"""Forms of the production pages. They parse input only; the rules are in production.services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField
from lims.scan_fields import ScanField
from production.models import Batch, Line, Material, MaterialLot, Plant, Product


class BootstrapMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class BatchCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Batch.Kind.choices, initial=Batch.Kind.COMMERCIAL,
                             required=False)  # empty: commercial
    product = forms.ModelChoiceField(Product.objects.all(), label=_("Product"))
    line = forms.ModelChoiceField(Line.objects.filter(active=True), label=_("Line"))
    planned_quantity = forms.IntegerField(label=_("Planned quantity (kits)"), min_value=1, max_value=10_000_000)
    manufactured_on = forms.DateField(label=_("Manufactured on"), widget=_date_widget(), initial=timezone.localdate)
    reason = ReasonField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].help_text = _(
            "A pilot batch is made on a manual line, at most %(max)s kits (the plant's pilot limit), and is marked "
            "PILOT on its record and labels.") % {"max": Plant.pilot_batch_limit()}
        self.fields["line"].label_from_instance = lambda line: f"{line.code} {line.name} ({line.get_kind_display()})"
        self.fields["product"].widget.attrs["data-batch-defaults"] = "batch-defaults"
        self.fields["line"].help_text = _("Filled in with the line of the product's last batch when a product is "
                                          "chosen.")
        self.fields["planned_quantity"].help_text = _("Filled in with the planned quantity of the product's last "
                                                      "batch when a product is chosen.")


def batch_defaults() -> dict:
    """Per product: the line and planned quantity of its last batch (``{product id: {"line", "planned_quantity"}}``),
    the prefill of the new-batch form (a product never made has no entry)."""
    defaults = {}
    rows = (Batch.objects.filter(line__active=True).order_by("product_id", "-created_at", "-pk")
            .values_list("product_id", "line_id", "planned_quantity"))
    for product_id, line_id, planned in rows:
        defaults.setdefault(str(product_id), {"line": line_id, "planned_quantity": planned})
    return defaults


class ReasonForm(BootstrapMixin, forms.Form):
    reason = ReasonField()


class StepForm(BootstrapMixin, forms.Form):
    step = forms.ModelChoiceField(None, label=_("Step"))
    equipment = forms.CharField(label=_("Equipment"), max_length=200, required=False)
    started_at = forms.DateTimeField(label=_("Started at"), widget=_datetime_widget())
    ended_at = forms.DateTimeField(label=_("Ended at"), widget=_datetime_widget())
    room_temperature_c = forms.DecimalField(label=_("Room temperature (°C)"), max_digits=4, decimal_places=1,
                                            required=False)
    room_humidity_pct = forms.DecimalField(label=_("Room humidity (% RH)"), max_digits=4, decimal_places=1,
                                           min_value=0, max_value=100, required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = ReasonField()

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].queryset = batch.product.process_steps.order_by("sequence")


class StepsSheetForm(forms.Form):
    """The steps sheet: every step of the product's process not yet logged on the batch, one row each (ticked
    done, start and end prefilled with now, equipment); one submission logs the ticked rows, all or nothing
    (``services.record_steps``). Field names ``step-<process step id>-done|started_at|ended_at|equipment``."""

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        logged = set(batch.steps.values_list("step_id", flat=True))
        self.steps = [s for s in batch.product.process_steps.order_by("sequence") if s.pk not in logged]
        now = timezone.localtime().replace(second=0, microsecond=0)
        for step in self.steps:
            prefix = f"step-{step.pk}"
            self.fields[f"{prefix}-done"] = forms.BooleanField(
                label=_("%(step)s done") % {"step": step},
                required=False, initial=True)
            self.fields[f"{prefix}-started_at"] = forms.DateTimeField(
                label=_("Started at"), widget=_datetime_widget(), initial=now, required=False)
            self.fields[f"{prefix}-ended_at"] = forms.DateTimeField(
                label=_("Ended at"), widget=_datetime_widget(), initial=now, required=False)
            self.fields[f"{prefix}-equipment"] = forms.CharField(label=_("Equipment"), max_length=200,
                                                                 required=False)
            for name in ("started_at", "ended_at", "equipment"):
                self.fields[f"{prefix}-{name}"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["reason"] = ReasonField()
        self.fields["reason"].widget.attrs.setdefault("class", "form-control")

    def rows(self):
        """Each remaining step with its bound fields, for the template."""
        return [{"step": s, **{n: self[f"step-{s.pk}-{n}"] for n in ("done", "started_at", "ended_at", "equipment")}}
                for s in self.steps]

    def clean(self):
        data = super().clean()
        self.ticked = []
        for step in self.steps:
            prefix = f"step-{step.pk}"
            if not data.get(f"{prefix}-done"):
                continue
            for name in ("started_at", "ended_at"):
                if not data.get(f"{prefix}-{name}") and f"{prefix}-{name}" not in self.errors:
                    self.add_error(f"{prefix}-{name}", _("Enter when the step started and ended."))
            self.ticked.append(step)
        if not self.ticked and not self.errors:
            raise forms.ValidationError(_("Tick at least one step done."))
        return data

    def service_rows(self):
        d = self.cleaned_data
        return [{"step": s, "started_at": d[f"step-{s.pk}-started_at"], "ended_at": d[f"step-{s.pk}-ended_at"],
                 "equipment": d.get(f"step-{s.pk}-equipment", "")} for s in self.ticked]

    def field_for(self, service_key: str) -> str | None:
        """``rows.2.ended_at`` (the service's row error) → this form's field name."""
        parts = service_key.split(".")
        if len(parts) != 3 or parts[0] != "rows" or not parts[1].isdigit() or int(parts[1]) >= len(self.ticked):
            return None
        name = parts[2] if parts[2] in ("started_at", "ended_at", "equipment") else "done"
        return f"step-{self.ticked[int(parts[1])].pk}-{name}"


class ConsumeForm(BootstrapMixin, forms.Form):
    """One component lot: scanned (its receiving label or the supplier's GS1 label) or chosen; without a quantity,
    what the BOM still needs of that material for the planned quantity."""

    scan = ScanField(label=_("Scan the lot's label"), required=False, help_text=_(
        "Receiving label or supplier's GS1 label; Enter records the consumption."), submit=True)
    material_lot = forms.ModelChoiceField(None, label=_("or choose the material lot"), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001"),
                                  required=False, help_text=_("Empty: what the BOM still needs for the planned "
                                                              "quantity."))
    reason = ReasonField()

    field_order = ["scan", "material_lot", "quantity", "reason"]

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the lots that can be used; the service still checks every rule on the lot chosen.
        lots = MaterialLot.objects.usable().select_related("material").order_by("material__code", "expiry_date")
        if batch.bom_id:
            lots = lots.filter(material__bom_lines__bom_id=batch.bom_id)
        self.fields["material_lot"].queryset = lots
        self.batch = batch
        self.fields["material_lot"].label_from_instance = lambda lot: _lot_label(lot, batch)
        self.fields["accept_shorter_expiry"] = forms.BooleanField(
            label=_("I accept that a lot expiring before %(date)s shortens the batch's expiry to the lot's")
            % {"date": batch.expiry_date.isoformat()}, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("scan") and not data.get("material_lot") and "material_lot" not in self.errors:
            self.add_error("scan", _("Scan the lot's label or choose the lot."))
        return data


def _lot_label(lot, batch):
    return (f"{lot.material.code} · {lot.supplier_lot} · {lot.internal_lot} · {lot.expiry_date:%Y-%m-%d} · "
            f"{lot.quantity_remaining.normalize():f} {lot.material.get_unit_display()}"
            + (" · " + str(_("shortens the kit expiry")) if lot.expiry_date < batch.expiry_date else ""))


def preselected_lot(choices, needed, batch):
    """The lot the pick list proposes for a material (``choices`` first to expire first): among the lots holding
    what is needed, the first to expire of those that leave the kit its expiry; when every one would shorten it,
    the one that shortens it least (a lot about to expire is never proposed for a kit that would then expire with
    it). None when no lot holds enough."""
    enough = [lot for lot in choices if lot.quantity_remaining >= needed]
    if not enough:
        return None
    keeping = [lot for lot in enough if lot.expiry_date >= batch.expiry_date]
    return (keeping[0] if keeping else max(enough, key=lambda lot: lot.expiry_date)).pk


class PickListForm(forms.Form):
    """The batch's whole BOM in one form (issue 19): per BOM line a scan field, the usable lots of that material
    (first to expire first; ``preselected_lot`` chosen), and the quantity prefilled with what the BOM still needs.
    Field names
    ``line-<bom line id>-scan|lot|quantity``."""

    def __init__(self, *args, batch, rows, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.batch, self.lines = batch, []
        for row in rows:
            line, prefix = row["line"], f"line-{row['line'].pk}"
            choices = [lot for lot in lots if lot.material_id == line.material_id]
            lot_field = forms.ModelChoiceField(
                MaterialLot.objects.filter(pk__in=[lot.pk for lot in choices]), required=False,
                label=_("Lot of %(material)s") % {"material": line.material.code},
                initial=preselected_lot(choices, row["short"], batch) if row["short"] else None)
            lot_field.choices = [("", "—")] + [(lot.pk, _lot_label(lot, batch)) for lot in choices]
            lot_field.widget.attrs.update({"class": "form-select form-select-sm"})
            self.fields[f"{prefix}-scan"] = ScanField(
                label=_("Scan %(material)s") % {"material": line.material.code}, required=False, next_field=True)
            self.fields[f"{prefix}-lot"] = lot_field
            self.fields[f"{prefix}-quantity"] = forms.DecimalField(
                label=_("Quantity of %(material)s (%(unit)s)") % {
                    "material": line.material.code, "unit": line.material.get_unit_display()},
                max_digits=14, decimal_places=3, min_value=Decimal("0"), required=False,
                initial=row["short"].normalize() if row["short"] else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "step": "any"}))
            self.lines.append({**row, "prefix": prefix})
        self.fields["accept_shorter_expiry"] = forms.BooleanField(
            label=_("I accept that a lot expiring before %(date)s shortens the batch's expiry to the lot's")
            % {"date": batch.expiry_date.isoformat()}, required=False)
        self.fields["reason"] = ReasonField()
        self.fields["reason"].widget.attrs.setdefault("class", "form-control")

    def bound_lines(self):
        """Each BOM line with its three bound fields, for the template."""
        return [{**line, "scan": self[f"{line['prefix']}-scan"], "lot": self[f"{line['prefix']}-lot"],
                 "quantity": self[f"{line['prefix']}-quantity"]} for line in self.lines]

    def service_rows(self):
        d = self.cleaned_data
        return [{"material": line["material"], "material_lot": d.get(f"{line['prefix']}-lot"),
                 "scan": d.get(f"{line['prefix']}-scan") or "", "quantity": d.get(f"{line['prefix']}-quantity")}
                for line in self.lines]

    def field_for(self, service_key: str) -> str | None:
        """``rows.3.scan`` (the service's row error) → this form's field name."""
        parts = service_key.split(".")
        if len(parts) != 3 or parts[0] != "rows" or not parts[1].isdigit() or int(parts[1]) >= len(self.lines):
            return None
        return f"{self.lines[int(parts[1])]['prefix']}-{'lot' if parts[2] == 'material_lot' else parts[2]}"


class CompleteForm(BootstrapMixin, forms.Form):
    """Quantity made and one reject quantity per active reject reason; the quantity made is prefilled with the
    planned quantity (the person corrects it to what was made)."""

    quantity_made = forms.IntegerField(label=_("Quantity made (kits)"), min_value=0)

    def __init__(self, *args, reject_reasons, batch=None, **kwargs):
        super().__init__(*args, **kwargs)
        if batch is not None and not self.is_bound:
            self.initial.setdefault("quantity_made", batch.planned_quantity)
            self.fields["quantity_made"].help_text = _("Prefilled with the planned quantity (%(n)s kits).") % {
                "n": batch.planned_quantity}
        self.reject_reasons = list(reject_reasons)
        for reason in self.reject_reasons:
            self.fields[f"reject_{reason.pk}"] = forms.IntegerField(
                label=_("Rejected: %(reason)s") % {"reason": reason.display_name}, min_value=0, required=False)
        self.fields["reason"] = ReasonField()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def rejects(self):
        return [(r, self.cleaned_data[f"reject_{r.pk}"]) for r in self.reject_reasons
                if self.cleaned_data.get(f"reject_{r.pk}")]


class MaterialLotForm(BootstrapMixin, forms.Form):
    """A delivery received into quarantine. Scanning the supplier's GS1 label fills in the material (by its GTIN),
    the supplier lot and the expiry date (production.scanning.receipt_from_scan; on the page without a reload,
    production/static/production/lot_receipt.js); the fields stay what is received."""

    scan = ScanField(label=_("Scan the supplier's label"), required=False, help_text=_(
        "A GS1 DataMatrix with (01) GTIN, (10) lot and (17) expiry fills in the material, the supplier lot and the "
        "expiry date."))
    material = forms.ModelChoiceField(Material.objects.all(), label=_("Material"))
    supplier = forms.CharField(label=_("Supplier"), max_length=200, required=False)
    supplier_lot = forms.CharField(label=_("Supplier lot"), max_length=60)
    received_on = forms.DateField(label=_("Received on"), widget=_date_widget(), initial=timezone.localdate)
    expiry_date = forms.DateField(label=_("Expiry date"), widget=_date_widget())
    quantity = forms.DecimalField(label=_("Quantity received"), max_digits=14, decimal_places=3, min_value=0)
    reason = ReasonField()


class PlannerForm(BootstrapMixin, forms.Form):
    demand = forms.IntegerField(label=_("Monthly demand (tests)"), min_value=0, max_value=10**12)
    product = forms.ModelChoiceField(Product.objects.all(), label=_("Product (tests per kit)"), required=False)
    station_rate = forms.IntegerField(label=_("Kits per hour of an added manual station"), min_value=1,
                                      max_value=10**6, required=False)
    station_hours = forms.DecimalField(label=_("Hours per day of an added station"), min_value=Decimal("0.5"),
                                       max_value=24, decimal_places=1, required=False)

