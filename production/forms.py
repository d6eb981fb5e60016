"""Forms of the production pages. They parse input only; the rules are in production.services."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField
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


class ConsumeForm(BootstrapMixin, forms.Form):
    material_lot = forms.ModelChoiceField(None, label=_("Material lot"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=Decimal("0.001"))
    reason = ReasonField()

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer the lots that can be used; the service still checks every rule on the lot chosen.
        lots = MaterialLot.objects.usable().select_related("material").order_by("material__code", "expiry_date")
        if batch.bom_id:
            lots = lots.filter(material__bom_lines__bom_id=batch.bom_id)
        self.fields["material_lot"].queryset = lots
        self.batch = batch
        self.fields["material_lot"].label_from_instance = lambda lot: (
            f"{lot.material.code} · {lot.supplier_lot} · {lot.expiry_date:%Y-%m-%d} · "
            f"{lot.quantity_remaining.normalize():f} {lot.material.get_unit_display()}"
            + (" · " + str(_("shortens the kit expiry")) if lot.expiry_date < batch.expiry_date else ""))
        self.fields["accept_shorter_expiry"] = forms.BooleanField(
            label=_("I accept that a lot expiring before %(date)s shortens the batch's expiry to the lot's")
            % {"date": batch.expiry_date.isoformat()}, required=False)


class CompleteForm(BootstrapMixin, forms.Form):
    """Quantity made and one reject quantity per active reject reason."""

    quantity_made = forms.IntegerField(label=_("Quantity made (kits)"), min_value=0)

    def __init__(self, *args, reject_reasons, **kwargs):
        super().__init__(*args, **kwargs)
        self.reject_reasons = list(reject_reasons)
        for reason in self.reject_reasons:
            self.fields[f"reject_{reason.pk}"] = forms.IntegerField(
                label=_("Rejected: %(reason)s") % {"reason": reason.name}, min_value=0, required=False)
        self.fields["reason"] = ReasonField()
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def rejects(self):
        return [(r, self.cleaned_data[f"reject_{r.pk}"]) for r in self.reject_reasons
                if self.cleaned_data.get(f"reject_{r.pk}")]


class MaterialLotForm(BootstrapMixin, forms.Form):
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

