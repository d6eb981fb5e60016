"""What the statistics pages share: a POST-only action that calls one service and redirects back, showing a
refusal as messages (nothing changes: the service's transaction is rolled back)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from lims.errors import DomainError
from lims.listing import RolePageMixin


def show_refusal(request, exc):
    if isinstance(exc, DomainError):
        messages.error(request, exc.message)
        for reason in exc.reasons:
            if reason.get("detail") != exc.message:
                messages.error(request, reason["detail"])
    elif hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                messages.error(request, message if field == "__all__" else f"{field}: {message}")
    else:
        for message in exc.messages:
            messages.error(request, message)


class PostAction(RolePageMixin, View):
    """POST only: ``get_object()``, ``perform(request, obj)`` calls a service; then back to ``back_url(obj)``."""

    success_message = ""

    def get_object(self):
        raise NotImplementedError

    def perform(self, request, obj):
        raise NotImplementedError

    def back_url(self, obj):
        return obj.get_absolute_url()

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            self.perform(request, obj)
            messages.success(request, self.success_message or _("Saved."))
        except (DomainError, ValidationError) as exc:
            show_refusal(request, exc)
        return redirect(self.back_url(obj))
