import uuid

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, bootstrap
from lims.labels import STOCKS, TEMPLATES

from .models import Printer
from .services import BATCH_TEMPLATES, max_copies


def _stock_choices():
    names = []
    for template in BATCH_TEMPLATES:
        for stock in TEMPLATES[template].allowed_stocks:
            if stock not in names:
                names.append(stock)
    return [("", _("The template's default"))] + [(n, n) for n in names]


def output_choices(with_page: bool = True):
    """Where a job's labels go: the labels page (PDF link), a PDF or ZPL file made in the background, or ZPL sent
    to an active printer."""
    choices = [("", _("Record the job; open its PDF from the list"))] if with_page else []
    choices += [("pdf", _("PDF file (made in the background, with progress)")),
                ("zpl", _("ZPL file for a label printer (made in the background)"))]
    choices += [(f"printer:{p.pk}", _("Send to printer %(name)s") % {"name": p.name})
                for p in Printer.objects.filter(active=True).order_by("name")]
    return choices


class OutputMixin(forms.Form):
    output = forms.ChoiceField(label=_("Output"), required=False)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, with_page: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["output"].choices = output_choices(with_page)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_output(self):
        value = self.cleaned_data.get("output") or ""
        if value.startswith("printer:"):
            printer = Printer.objects.filter(pk=value[8:], active=True).first() if value[8:].isdigit() else None
            if printer is None:
                raise forms.ValidationError(_("Choose an active printer."))
            self.printer = printer
        else:
            self.printer = None
        return value


class PrintForm(OutputMixin):
    template = forms.ChoiceField(label=_("Template"), choices=[("unit", _("Unit (kit box)")),
                                                               ("case", _("Case (shipping case, serialised)"))])
    stock = forms.ChoiceField(label=_("Stock"), choices=_stock_choices, required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    reason = ReasonField(required=True)

    field_order = ["template", "stock", "copies", "output", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copies"].max_value = max_copies()
        self.fields["copies"].validators.append(MaxValueValidator(max_copies()))
        self.fields["copies"].widget.attrs["max"] = max_copies()
        bootstrap(self)


class MaterialPrintForm(OutputMixin):
    stock = forms.ChoiceField(label=_("Stock"), required=False, choices=lambda: (
        [("", _("The template's default"))] + [(n, n) for n in TEMPLATES["receiving"].allowed_stocks]))
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    reason = ReasonField(required=True)

    field_order = ["stock", "copies", "output", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copies"].validators.append(MaxValueValidator(max_copies()))
        bootstrap(self)


class OutputForm(OutputMixin):
    """A new output of an existing job (a reprint): a file made in the background, or sent to a printer."""

    reason = ReasonField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_page=False, **kwargs)
        self.fields["output"].required = True
        bootstrap(self)


class PrinterForm(forms.ModelForm):
    reason = ReasonField(required=False, help_text=_("Required when you change a printer."))

    class Meta:
        model = Printer
        fields = ["name", "address", "port", "dots_per_mm", "stock", "location", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock"] = forms.ChoiceField(
            label=_("Stock"), choices=[(n, STOCKS[n].description) for n in STOCKS if n.startswith("roll-")])
        bootstrap(self)


class ReconcileForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=[("unit", _("Unit (kit box)")),
                                                               ("case", _("Case (shipping case, serialised)"))])
    used = forms.IntegerField(label=_("Used"), min_value=0)
    destroyed = forms.IntegerField(label=_("Destroyed"), min_value=0)
    returned = forms.IntegerField(label=_("Returned"), min_value=0)
    reason = ReasonField(help_text=_("Required when the count does not add up: the discrepancy is recorded as "
                                     "found and opens a deviation."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
