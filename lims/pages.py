"""Pages that call a service from a form, and chart configurations: shared by every app."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from lims.errors import DomainError
from lims.forms import bootstrap
from lims.listing import RolePageMixin


def apply_errors(form, exc: ValidationError):
    """Put a service's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            if field in form.fields:
                form.add_error(field, errors)
            else:
                for message in (m for e in errors for m in e.messages):
                    form.add_error(None, f"{field}: {message}" if field != "__all__" else message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ServiceFormView(RolePageMixin, FormView):
    """A form whose valid submission calls one service (``perform``); a refusal shows on the form and changes
    nothing (the service's transaction is rolled back)."""

    template_name = "lims/form.html"
    title = ""
    submit_label = ""
    success_message = _("Saved.")

    def perform(self, form):
        raise NotImplementedError

    def back_url(self):
        return None

    def form_valid(self, form):
        try:
            obj = self.perform(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message_for(obj))
        return redirect(self.success_url_for(obj))

    def success_message_for(self, obj):
        return self.success_message

    def success_url_for(self, obj):
        return obj.get_absolute_url()

    def get_form(self, form_class=None):
        return bootstrap(super().get_form(form_class))

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=self.title, back_url=self.back_url(),
                                        submit_label=self.submit_label, **kwargs)


def chart_config(kind, labels, datasets, **options):
    """A Chart.js configuration for ``<canvas data-chart>`` + ``json_script`` (drawn by lims/static/lims/app.js)."""
    return {"type": kind, "data": {"labels": [str(x) for x in labels], "datasets": datasets}, "options": options}
