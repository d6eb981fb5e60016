"""The core's own background work (lims.tasks): exports too large for one request and their hourly clean-up,
and the audit-trail verification — started from /audit/verify/ with progress, and every night. A verification
that finds a break notifies the auditors and administrators (``lims.audit_verification_failed``), linking to
the result."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.exports import EXPORT_TASK, expire_exports, export_task
from lims.notifications import NotificationKind, notify
from lims.notifications import register_kind as register_notice
from lims.tasks.registry import Periodic, TaskKind, register_kind, register_periodic

VERIFY_TASK = "lims.verify_audit"
VERIFY_NIGHTLY = "lims.verify_audit_nightly"
VERIFY_FAILED = "lims.audit_verification_failed"


def verification_url(run) -> str:
    return f"{reverse('audit-verify')}?run={run.pk}"


def verify_audit_task(ctx):
    """Run ``lims.integrity.run_verification`` with progress (rows checked of the rows the chains hold);
    a failed run notifies the Auditor and Admin roles once. Reads only (plus its own record): a retry verifies
    again."""
    from lims import integrity

    total = max(_trail_size(), 1)
    # reported below the total while running (the last page is recorded by finish()); at most once a second
    run, result = integrity.run_verification(
        user=ctx.user, progress=lambda table, done: ctx.progress(min(done, total - 1), total, table))
    if not run.ok:
        notify(VERIFY_FAILED, None, key=f"audit-verification-failed:{run.pk}", url=verification_url(run),
               params={"breaks": len(run.breaks), "rows": run.rows_checked,
                       "first": (f"{run.breaks[0]['table']} #{run.breaks[0]['id']}" if run.breaks else "")})
    ctx.save_result(url=verification_url(run), data={"verification": run.pk, "ok": run.ok,
                                                     "rows_checked": run.rows_checked, "breaks": len(run.breaks)})


def _trail_size() -> int:
    """Rows the chains hold, from each table's last id (ids are consecutive): one index lookup per table."""
    from lims.integrity import chained_models

    total = 0
    for model, _hash in chained_models():
        last = model._base_manager.order_by("-pk").values_list("pk", flat=True).first()
        total += last or 0
    return total


def _failed(p):
    return (_("Audit trail verification failed: %(breaks)s break(s)") % p,
            _("%(rows)s rows checked; first break: %(first)s. Open the result to see every break.") % p)


register_kind(TaskKind(EXPORT_TASK, gettext_lazy("Export"), export_task))
register_periodic(Periodic("lims.expire_exports", gettext_lazy("Remove expired export files"), expire_exports,
                           schedule={"every_minutes": 60}, slot="hourly"))
register_kind(TaskKind(VERIFY_TASK, gettext_lazy("Audit trail verification"), verify_audit_task,
                       permission="lims.view_audit_log", max_attempts=1))
register_periodic(Periodic(VERIFY_NIGHTLY, gettext_lazy("Nightly audit trail verification"), verify_audit_task,
                           schedule={"hour": 2, "minute": 30}))
register_notice(NotificationKind(VERIFY_FAILED, gettext_lazy("Audit trail verification failed"),
                                 roles=("Auditor", "Admin"), render=_failed))
