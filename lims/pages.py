"""Pages that call a service from a form, and chart configurations: shared by every app."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View

from lims.errors import DomainError
from lims.forms import SignatureForm, bootstrap
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


def form_labels(form) -> dict:
    return {name: field.label for name, field in form.fields.items() if field.label}


def report_refusal(request, exc, labels=None):
    """The one way a page tells that a service refused: the message, every reason, every field error — a field
    named by its label where the page knows it (``labels``: field → label, e.g. ``form_labels(form)``), so the
    person reads "Reason: …", not the field's code "reason: …"."""
    labels = labels or {}
    if isinstance(exc, DomainError):
        messages.error(request, exc.message)
        for r in exc.reasons:
            messages.error(request, r["detail"])
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for message in (m for e in errors for m in e.messages):
                messages.error(request, message if field == "__all__" else f"{labels.get(field) or field}: {message}")
    else:
        for message in exc.messages:
            messages.error(request, message)


class ActionView(RolePageMixin, View):
    """A POST-only page action: validate ``form_class`` from the POST, call ``perform(form, obj)`` (one service),
    redirect back; a refusal (invalid form, ValidationError, DomainError) shows as messages and changes
    nothing."""

    http_method_names = ["post"]
    form_class: type[forms.Form] = forms.Form
    success_message = _("Saved.")

    def get_object(self):
        return None

    def get_form(self):
        return self.form_class(self.request.POST, self.request.FILES or None)

    def perform(self, form, obj):
        raise NotImplementedError

    def back_url(self, obj, result=None):
        nxt = self.request.POST.get("next", "")
        if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={self.request.get_host()}):
            return nxt
        target = result if hasattr(result, "get_absolute_url") else obj
        return target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for message in errors:
                    messages.error(request, f"{label}: {message}" if label else message)
            return redirect(self.back_url(obj))
        try:
            result = self.perform(form, obj)
        except (DomainError, ValidationError) as exc:
            report_refusal(request, exc, labels=form_labels(form))
            return redirect(self.back_url(obj))
        messages.success(request, self.success_message_for(result))
        return redirect(self.back_url(obj, result))

    def success_message_for(self, result):
        return self.success_message


class SigningActionView(ActionView):
    """A signing page action: the form takes both components and the reason (``lims.forms.SignatureForm``); the
    service declared with ``signing`` resolves the meaning. ``perform(form, obj)`` calls the service with
    ``**form.signing_kwargs()``."""

    signing = None  # a lims.signatures.SigningAction
    form_class = SignatureForm
    reason_required = False
    success_message = _("Signed.")

    def get_form(self):
        return self.form_class(self.request.POST, reason_required=self.reason_required)


def chart_config(kind, labels, datasets, **options):
    """A Chart.js configuration for ``<canvas data-chart>`` + ``json_script`` (drawn by lims/static/lims/app.js)."""
    return {"type": kind, "data": {"labels": [str(x) for x in labels], "datasets": datasets}, "options": options}
