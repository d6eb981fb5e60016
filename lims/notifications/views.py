"""The inbox (each person's own notifications) and notification preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lims.notifications.models import Mute, Notification, Preference
from lims.notifications.registry import KINDS


def _own(request):
    return Notification.objects.filter(recipient=request.user).select_related("event")


@login_required
@require_GET
def inbox(request):
    qs = _own(request)
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    rows = []
    for note in page:
        title, body = note.event.rendered()
        rows.append({"note": note, "title": title, "body": body})
    return render(request, "notifications/inbox.html", {
        "page": page, "rows": rows, "muted": Mute.objects.filter(user=request.user).exists(),
        "unread_only": bool(request.GET.get("unread"))})


@login_required
@require_GET
def unread_count(request):
    return JsonResponse({"unread": _own(request).filter(read_at__isnull=True).count()})


@login_required
@require_GET
def open_notification(request, pk):
    """Follow a notification to its record (and mark it read)."""
    note = get_object_or_404(_own(request), pk=pk)
    if note.read_at is None:
        Notification.objects.filter(pk=note.pk, read_at__isnull=True).update(read_at=timezone.now())
    url = note.event.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        url = reverse("notifications:inbox")
    return HttpResponseRedirect(url)


@login_required
@require_POST
def mark_all_read(request):
    n = _own(request).filter(read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, _("%(n)s notification(s) marked as read.") % {"n": n})
    return HttpResponseRedirect(reverse("notifications:inbox"))


def kinds_for(user):
    """The kinds a person can receive (their roles); superusers see every kind."""
    roles = set(user.groups.values_list("name", flat=True))
    return [k for k in KINDS.values() if user.is_superuser or roles.intersection(k.roles)]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    kinds = sorted(kinds_for(request.user), key=lambda k: k.code)
    prefs = {p.kind: p for p in Preference.objects.filter(user=request.user)}
    if request.method == "POST":
        for kind in kinds:
            enabled = request.POST.get(f"enabled-{kind.code}") == "on"
            email = request.POST.get(f"email-{kind.code}") == "on"
            Preference.objects.update_or_create(user=request.user, kind=kind.code,
                                                defaults={"enabled": enabled, "email": email and enabled})
        if request.POST.get("muted") == "on":
            Mute.objects.get_or_create(user=request.user)
        else:
            Mute.objects.filter(user=request.user).delete()
        messages.success(request, _("Your notification preferences are saved."))
        return HttpResponseRedirect(reverse("notifications:preferences"))
    rows = []
    for kind in kinds:
        pref = prefs.get(kind.code)
        rows.append({"kind": kind, "enabled": pref.enabled if pref else True,
                     "email": pref.email if pref else kind.email})
    return render(request, "notifications/preferences.html", {
        "rows": rows, "muted": Mute.objects.filter(user=request.user).exists()})
