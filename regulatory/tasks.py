"""Regulatory background work (lims.tasks): the dossier bundle with progress and download; daily expiry of
certifications past their validity and the 90 / 30 / 7-day reminders."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.tasks import Periodic, TaskKind, register_kind, register_periodic


def dossier_bundle(ctx):
    """Build the zip of a dossier (regulatory/bundle.py) and offer it for download. Reads only: a retry builds
    the same bundle again."""
    from regulatory.bundle import bundle
    from regulatory.models import Dossier

    dossier = Dossier.objects.select_related("product", "market").get(pk=ctx.params["dossier"])
    from lims.signatures import printed_name

    data = bundle(dossier, printed_name(ctx.user), progress=lambda done, total: ctx.progress(done, total))
    ctx.save_result(name=f"dossier-{dossier.pk}-{timezone.localdate():%Y%m%d}.zip", content=data)


def expire_certifications(ctx):
    from regulatory.services import expire_due_certifications

    count = expire_due_certifications(user=ctx.user, today=timezone.localdate())
    ctx.save_result(data={"expired": count})


def certification_reminders(ctx):
    from regulatory.services import certification_reminders as remind

    ctx.save_result(data={"reminders": remind(today=timezone.localdate())})


DOSSIER_BUNDLE = register_kind(TaskKind("regulatory.dossier_bundle", _("Dossier bundle"), dossier_bundle,
                                        permission="regulatory.view_dossier"))
register_periodic(Periodic("regulatory.expire_certifications", _("Expire certifications past their validity"),
                           expire_certifications, schedule={"hour": 0, "minute": 15}))
register_periodic(Periodic("regulatory.certification_reminders", _("Reminders of certifications ending soon"),
                           certification_reminders, schedule={"hour": 7, "minute": 0}))


def batch_verifications(ctx):
    """Open the verification record of every released lot that needs one and tell Regulatory and QA of
    objection periods that ended without objection (both idempotent: a retry does nothing new)."""
    from regulatory.services import batch_verification_clock_notices, open_due_batch_verifications

    opened = open_due_batch_verifications(user=ctx.user)
    ctx.save_result(data={"opened": opened, "notices": batch_verification_clock_notices(today=timezone.localdate())})


register_periodic(Periodic("regulatory.batch_verifications", _("Batch verifications: open records, end of "
                                                              "objection periods"),
                           batch_verifications, schedule={"hour": 6, "minute": 30}))
