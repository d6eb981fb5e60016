"""The auditor's page of the audit-trail verification (tamper evidence): the last check, the earlier ones,
and a button to check now (Auditor, QA, Admin)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lims.integrity import run_verification
from lims.models import AuditVerification

VERIFY_PERMISSION = "lims.view_audit_log"


@login_required
@require_http_methods(["GET", "POST"])
def audit_verify(request):
    if not request.user.has_perm(VERIFY_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        run, _result = run_verification(user=request.user)
        if run.ok:
            messages.success(request, _("The audit trail is intact: %(rows)s rows checked.") % {
                "rows": run.rows_checked})
        else:
            messages.error(request, _("The audit trail is NOT intact: %(count)s break(s) found.") % {
                "count": len(run.breaks)})
        return redirect("audit-verify")
    runs = list(AuditVerification.objects.select_related("run_by").order_by("-finished_at", "-id")[:20])
    return render(request, "lims/audit_verify.html", {"last": runs[0] if runs else None, "runs": runs})
