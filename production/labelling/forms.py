from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, bootstrap
from lims.labels import TEMPLATES

from .services import BATCH_TEMPLATES, max_copies


def _stock_choices():
    names = []
    for template in BATCH_TEMPLATES:
        for stock in TEMPLATES[template].allowed_stocks:
            if stock not in names:
                names.append(stock)
    return [("", _("The template's default"))] + [(n, n) for n in names]


class PrintForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=[("unit", _("Unit (kit box)")),
                                                               ("case", _("Case (shipping case, serialised)"))])
    stock = forms.ChoiceField(label=_("Stock"), choices=_stock_choices, required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    reason = ReasonField(required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copies"].max_value = max_copies()
        self.fields["copies"].validators.append(MaxValueValidator(max_copies()))
        self.fields["copies"].widget.attrs["max"] = max_copies()
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
