"""The auditor's page of the audit-trail verification (tamper evidence): the last check (or the one named by
``?run=``, where a failure notice links), the earlier ones, and a button to check now (Auditor, QA, Admin) that
starts the check as a background task (lims.tasks.builtin) and shows its progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lims.models import AuditVerification

VERIFY_PERMISSION = "lims.view_audit_log"


@login_required
@require_http_methods(["GET", "POST"])
def audit_verify(request):
    if not request.user.has_perm(VERIFY_PERMISSION):
        raise PermissionDenied
    if request.method == "POST":
        from lims.tasks import start_task
        from lims.tasks.builtin import VERIFY_TASK

        run = start_task(VERIFY_TASK, {}, user=request.user)
        messages.info(request, _("The audit trail verification has started; this page shows its progress."))
        return redirect(run.get_absolute_url())
    runs = list(AuditVerification.objects.select_related("run_by").order_by("-finished_at", "-id")[:20])
    last = runs[0] if runs else None
    chosen = request.GET.get("run", "")
    if chosen.isdigit():
        last = next((r for r in runs if r.pk == int(chosen)), None) or \
            AuditVerification.objects.select_related("run_by").filter(pk=int(chosen)).first() or last
    return render(request, "lims/audit_verify.html", {"last": last, "runs": runs})
