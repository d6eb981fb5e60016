"""Sign-in lock-out responses (django-axes): JSON for the API, a page for people."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request, *args, **kwargs):
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-in attempts. Try again in %(minutes)s minutes or ask an administrator.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=403)
    return render(request, "registration/locked_out.html", {"message": message}, status=403)


# --- lock-out keyed on the user name; an address only when it tries many names ----------------------------------
# Many people sign in through one reverse proxy, so their requests share an address: counting failures per
# address would lock everyone out after one person's typos (issue 16). Failures therefore count per user name
# (AXES_LOCKOUT_PARAMETERS = ["username"]), and an address is locked only when it failed for at least
# LIMS_LOCKOUT_ADDRESS_USERNAMES distinct user names within the cool-off time — password spraying, not typos.
# Behind a proxy, PROXY_COUNT tells axes how many proxies to skip in X-Forwarded-For to find the client.

from axes.handlers.database import AxesDatabaseHandler  # noqa: E402


def address_spraying(request) -> bool:
    """True when the request's address failed for too many distinct user names within the cool-off time."""
    from axes.models import AccessAttempt
    from django.utils import timezone

    address = getattr(request, "axes_ip_address", None)
    limit = settings.LIMS_LOCKOUT_ADDRESS_USERNAMES
    if not address or not limit:
        return False
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    names = (AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since, failures_since_start__gt=0)
             .values("username").distinct().count())
    return names >= limit


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler plus the address rule above."""

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or address_spraying(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False) and address_spraying(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def client_address(request) -> str | None:
    """The client's address for the lock-out (AXES_CLIENT_IP_CALLABLE). With PROXY_COUNT = n reverse proxies in
    front of the app, each appends the address it saw to X-Forwarded-For, so the client is the n-th entry from the
    right; entries further left were sent by the client and are not trusted. Without proxies: REMOTE_ADDR."""
    import ipaddress

    count = settings.LIMS_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR")
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:
        return remote
    candidate = chain[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
