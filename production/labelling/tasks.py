"""Label jobs in the background (lims.tasks, issue #15): a print job's PDF or ZPL rendered with progress, then
offered for download, or its ZPL sent to a printer.

Labels and serials are issued before the task starts, once, by the print POST (``services.print_labels`` takes
the range under a row lock and commits it; a repeated POST with the same idempotency key returns the same job).
The task only renders: a retry or a redelivered message renders the same labels again, and the output (print or
reprint) is recorded once per run (``ctx.once``), so a retried task never issues or counts anything twice.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lims.tasks import TaskKind, register_kind

FORMATS = ("pdf", "zpl", "printer")


def render_job(ctx):
    from .models import Printer, PrintJob
    from .services import job_filename, job_pdf, job_zpl, record_output, send_to_printer

    params = ctx.params
    job = PrintJob.objects.select_related("batch__product", "material_lot__material").get(pk=params["job"])
    fmt = params.get("format", "pdf")
    total = job.copies
    reason = params.get("reason", "")
    if fmt == "printer":
        printer = Printer.objects.get(pk=params["printer"])

        def send():
            send_to_printer(job, printer, user=ctx.user, reason=reason, progress=ctx.progress)
            return printer.name

        name = ctx.once("sent", send)
        ctx.progress(total, total, str(_("Sent to printer %(name)s.") % {"name": name}), force=True)
        ctx.save_result(data={"printer": name, "labels": total}, url=job.get_absolute_url())
        return
    ctx.once("output", lambda: record_output(job, fmt=fmt, user=ctx.user, reason=reason).pk)
    if fmt == "zpl":
        data = b"".join(job_zpl(job, int(params.get("dots_per_mm") or 8), ctx.progress))
    else:
        data = b"".join(job_pdf(job, ctx.progress))
    ctx.progress(total, total, force=True)
    ctx.save_result(name=job_filename(job, fmt), content=data, url=job.get_absolute_url())


RENDER_JOB = register_kind(TaskKind("labelling.render_job", _("Label job"), render_job,
                                    permission="labelling.add_printjob"))
