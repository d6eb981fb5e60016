"""The form renderer: Django's own templates, with a select whose options are written inline.

Django's ``select.html`` includes ``select_option.html`` (which includes ``attrs.html``) once per option; on a
page whose filters offer a hundred choices (the audit trail's record types and people) those includes were a
tenth of the page's time. ``lims/form_templates/django/forms/widgets/select.html`` writes the same markup for the
standard option template inline and includes any other option template as Django does.
"""

from functools import cached_property
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates

OVERRIDES = Path(__file__).resolve().parent / "form_templates"


class FormRenderer(DjangoTemplates):
    @cached_property
    def engine(self):
        return self.backend({"APP_DIRS": True, "DIRS": [OVERRIDES, Path(django.forms.__file__).parent / "templates"],
                             "NAME": "djangoforms", "OPTIONS": {}})
