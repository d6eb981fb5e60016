"""Forms of the regulatory pages; each valid submission calls one service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField
from production.models import Batch, Product
from regulatory.models import Certification, CertificationKind, Market


class DateInput(forms.DateInput):
    input_type = "date"


class EligibilityForm(forms.Form):
    lot = forms.CharField(label=_("Lot number"), max_length=20)
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all(), to_field_name="code")
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput)

    def clean_lot(self):
        lot = self.cleaned_data["lot"].strip()
        batch = Batch.objects.select_related("product").filter(lot_number=lot).first()
        if batch is None:
            raise forms.ValidationError(_("Unknown lot %(lot)s.") % {"lot": lot})
        return batch


class ShipmentForm(forms.Form):
    batch = forms.CharField(label=_("Lot number"), max_length=20)
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all(), to_field_name="code")
    quantity = forms.IntegerField(label=_("Quantity (kits)"), min_value=1)
    shipped_on = forms.DateField(label=_("Shipped on"), initial=timezone.localdate, widget=DateInput)
    consignee = forms.CharField(label=_("Consignee"), max_length=200)
    export_certificate_number = forms.CharField(label=_("Export certificate number"), max_length=100,
                                                required=False)
    reason = ReasonField()

    def clean_batch(self):
        lot = self.cleaned_data["batch"].strip()
        batch = Batch.objects.filter(lot_number=lot).first()
        if batch is None:
            raise forms.ValidationError(_("Unknown lot %(lot)s.") % {"lot": lot})
        return batch


class CertificationForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all())
    kind = forms.ModelChoiceField(label=_("Kind"), queryset=CertificationKind.objects.all())
    number = forms.CharField(label=_("Number"), max_length=100)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200, required=False)
    jrc_device_id = forms.CharField(label=_("JRC device id"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=[(Certification.Status.PENDING.value,
                                                            Certification.Status.PENDING.label),
                                                           (Certification.Status.ACTIVE.value,
                                                            Certification.Status.ACTIVE.label)])
    reason = ReasonField()
