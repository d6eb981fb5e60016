"""Forms of the regulatory pages; each valid submission calls one service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, SignatureForm
from production.models import Batch, Product
from regulatory.models import Certification, CertificationKind, ChecklistTemplate, Market


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
    serials = forms.CharField(
        label=_("Case serials"), required=False, widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false",
                                                                             "autocapitalize": "none",
                                                                             "data-gs1-scan": ""}),
        help_text=_("One per line: scan each case label, or type its serial (e.g. 000123)."))
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
    grace_until = forms.DateField(label=_("Grace period until"), required=False, widget=DateInput,
                                  help_text=Certification._meta.get_field("grace_until").help_text)
    covers_pilot_lots = forms.BooleanField(label=_("Covers pilot lots"), required=False,
                                           help_text=Certification._meta.get_field("covers_pilot_lots").help_text)
    status = forms.ChoiceField(label=_("Status"), choices=[(Certification.Status.PENDING.value,
                                                            Certification.Status.PENDING.label),
                                                           (Certification.Status.ACTIVE.value,
                                                            Certification.Status.ACTIVE.label)])
    reason = ReasonField()


class CertificationEditForm(forms.Form):
    FIELDS = ("number", "issuing_body", "jrc_device_id", "valid_from", "valid_until", "grace_until",
              "covers_pilot_lots")

    number = forms.CharField(label=_("Number"), max_length=100)
    issuing_body = forms.CharField(label=_("Issuing body"), max_length=200, required=False)
    jrc_device_id = forms.CharField(label=_("JRC device id"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DateInput)
    grace_until = forms.DateField(label=_("Grace period until"), required=False, widget=DateInput,
                                  help_text=Certification._meta.get_field("grace_until").help_text)
    covers_pilot_lots = forms.BooleanField(label=_("Covers pilot lots"), required=False,
                                           help_text=Certification._meta.get_field("covers_pilot_lots").help_text)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = ReasonField(required=True)


class DossierForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.all())
    market = forms.ModelChoiceField(label=_("Market"), queryset=Market.objects.all())
    template = forms.ModelChoiceField(label=_("Purpose (checklist)"), queryset=ChecklistTemplate.objects.all())
    reason = ReasonField()


class VerificationOpenForm(forms.Form):
    batch = forms.CharField(label=_("Lot number"), max_length=20)
    notified_body = forms.CharField(label=_("Notified body"), max_length=200, required=False,
                                    help_text=_("Empty: the issuing body of the product's IVDR certificate."))
    reports_sent_on = forms.DateField(label=_("Test reports sent on"), required=False, widget=DateInput)
    samples_sent_on = forms.DateField(label=_("Samples sent on"), required=False, widget=DateInput)
    samples_required = forms.BooleanField(label=_("Samples required (a reference laboratory is designated)"),
                                          required=False, initial=True)
    reason = ReasonField()

    def clean_batch(self):
        lot = self.cleaned_data["batch"].strip()
        batch = Batch.objects.filter(lot_number=lot).first()
        if batch is None:
            raise forms.ValidationError(_("Unknown lot %(lot)s.") % {"lot": lot})
        return batch


class VerificationEditForm(forms.Form):
    notified_body = forms.CharField(label=_("Notified body"), max_length=200, required=False)
    reports_sent_on = forms.DateField(label=_("Test reports sent on"), required=False, widget=DateInput)
    samples_sent_on = forms.DateField(label=_("Samples sent on"), required=False, widget=DateInput)
    samples_required = forms.BooleanField(label=_("Samples required"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = ReasonField(required=True)


class VerificationDecideForm(SignatureForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("confirmed", _("Confirmed")),
                                                                ("objected", _("Objected"))])
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=DateInput)
