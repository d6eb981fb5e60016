"""Case serials as issued, destroyed and looked up (DOMAIN.md §8: labels issued = used + destroyed + returned).

A case serial (AI 21) is *issued* when it lies within the range of a case print job of its batch; a damaged or
spoiled case label is recorded here as *destroyed*, one row per serial, so that the serial can never be shipped
(regulatory's shipments ask ``serial_state``). The reconciliation counts stay in ``LabelReconciliation``."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lims.audit import history, service
from lims.errors import ReasonRequired
from lims.models import TrackedModel

CASE_TEMPLATE = "case"


class DestroyedSerial(TrackedModel):
    """A case serial of a batch whose label was destroyed (never to ship)."""

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="destroyed_serials",
                              verbose_name=gettext_lazy("batch"))
    serial = models.CharField(gettext_lazy("case serial"), max_length=20)
    destroyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=gettext_lazy("destroyed by"), editable=False)
    destroyed_at = models.DateTimeField(gettext_lazy("destroyed at"), default=timezone.now, editable=False)

    history = history()
    history_label_field = "serial"

    class Meta:
        app_label = "labelling"
        ordering = ["batch", "serial"]
        verbose_name = gettext_lazy("destroyed case serial")
        verbose_name_plural = gettext_lazy("destroyed case serials")
        constraints = [models.UniqueConstraint(fields=["batch", "serial"], name="labelling_serial_destroyed_once")]

    def __str__(self):
        return f"{self.batch.lot_number} #{self.serial}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("labelling:batch-labels", args=[self.batch.lot_number])


def normalise(serial: str) -> str:
    """A typed serial as printed: digits are zero-padded like ``format_serial`` (``"42"`` → ``"000042"``)."""
    from production.labelling.services import format_serial

    value = str(serial or "").strip()
    return format_serial(int(value)) if value.isdigit() and len(value) <= 20 else value


def issued_ranges(batch) -> list[tuple[int, int]]:
    """The (first, last) case serials of every case print job of ``batch`` (one query)."""
    from production.labelling.models import PrintJob

    ranges = []
    for first, last in (PrintJob.objects.filter(batch=batch, template=CASE_TEMPLATE).exclude(serial_from="")
                        .values_list("serial_from", "serial_to")):
        if first.isdigit() and last.isdigit():
            ranges.append((int(first), int(last)))
    return ranges


def is_issued(serial: str, ranges) -> bool:
    return serial.isdigit() and any(a <= int(serial) <= b for a, b in ranges)


@service
def destroy_case_serials(batch, serials, *, user, reason=""):
    """Record case serials of ``batch`` as destroyed (a reason is required). Refused, with nothing written, for a
    serial the batch's print jobs never issued or one destroyed already."""
    if not reason:
        raise ReasonRequired()
    wanted = [normalise(s) for s in serials if str(s).strip()]
    if not wanted:
        raise ValidationError({"serials": [_("Give at least one case serial.")]})
    ranges = issued_ranges(batch)
    known = set(DestroyedSerial.objects.filter(batch=batch, serial__in=wanted).values_list("serial", flat=True))
    errors = []
    for serial in wanted:
        if not is_issued(serial, ranges):
            errors.append(_("%(serial)s was never issued to lot %(lot)s.") % {"serial": serial,
                                                                               "lot": batch.lot_number})
        elif serial in known:
            errors.append(_("%(serial)s is recorded as destroyed already.") % {"serial": serial})
    if errors:
        raise ValidationError({"serials": errors})
    return [DestroyedSerial.objects.create(batch=batch, serial=s, destroyed_by=user) for s in dict.fromkeys(wanted)]
