"""Find by scan (issue 21): any label → its record. Every app that names records by a label answers through its
``scanning`` module (``find(scan, text, user) -> [{"kind", "label", "url", "detail"}]``, found with
``lims.registry.app_modules``; only records the user may see): production (material lots by 240 + 10 or the
supplier's GTIN, batches by 01 + 10), labelling (cases by 01 + 10 + 21), the lab (samples by the tube's barcode)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lims.registry import app_modules
from lims.roles import role_names
from lims.scan import ScanError
from lims.scan_fields import read_scan, scanned_text


def find_records(text: str, user):
    """(scan or None, why it is not GS1 data or "", [records], [notes]). An app's ``scanning.explain(scan, text)``
    may say what is wrong with a label it recognises (a lot never received, a case serial never issued)."""
    scan, error = None, ""
    try:
        scan = read_scan(text)
    except ScanError as exc:
        error = str(exc)
    plain = scanned_text(text)
    found = []
    for _name, module in app_modules("scanning"):
        finder = getattr(module, "find", None)
        if finder is not None:
            found.extend(finder(scan, plain, user))
    notes = []
    if scan is not None:
        for _name, module in app_modules("scanning"):
            why = getattr(module, "explain", lambda scan, text: "")(scan, plain)
            if why:
                notes.append(why)
    return scan, error, found, notes


@login_required
def find_by_scan(request):
    """GET ``?scan=``: a single record opens at once; several are listed; none says why."""
    if not role_names(request.user):
        raise PermissionDenied
    text = request.GET.get("scan", "")
    context = {"title": _("Find by scan"), "text": scanned_text(text), "searched": bool(text.strip())}
    if context["searched"]:
        scan, error, found, notes = find_records(text, request.user)
        if len(found) == 1 and not notes and "list" not in request.GET:
            messages.info(request, _("Found by scan: %(kind)s %(label)s.") % found[0])
            return redirect(found[0]["url"])
        context.update(scan=scan, error=error, found=found, notes=notes,
                       elements=sorted(scan.elements.items()) if scan is not None else [])
    return render(request, "lims/find_by_scan.html", context)
