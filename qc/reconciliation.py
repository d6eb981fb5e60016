"""A label reconciliation that does not add up opens a deviation (DOMAIN.md §8: recorded as found, never
refused). Labelling (a lower app) offers the discrepancy extension point; qc fills it in QcConfig.ready(). The
deviation belongs to the batch, so the release gate (and the shipment gate) treat it like any open deviation."""

from django.utils.translation import gettext as _

from qc.models import Deviation


def open_reconciliation_deviation(reconciliation, user) -> Deviation:
    """Open the deviation of a reconciliation's discrepancy, linked both ways (deviation → reconciliation, and
    the reconciliation's ``deviations``)."""
    deviation = Deviation(
        kind=Deviation.Kind.DEVIATION, batch=reconciliation.batch, label_reconciliation=reconciliation,
        opened_by=user,
        title=_("Label reconciliation discrepancy on %(lot)s (%(template)s labels): %(n)s")
        % {"lot": reconciliation.batch.lot_number, "template": reconciliation.template,
           "n": f"{reconciliation.discrepancy:+d}"},
        description=_("%(issued)s %(template)s labels issued; %(used)s used + %(destroyed)s destroyed + "
                      "%(returned)s returned. Reason given: %(reason)s")
        % {"issued": reconciliation.issued, "template": reconciliation.template, "used": reconciliation.used,
           "destroyed": reconciliation.destroyed, "returned": reconciliation.returned,
           "reason": reconciliation.reason})
    deviation.full_clean()
    deviation.save()
    return deviation


def find_reconciliation_deviation(reconciliation) -> Deviation | None:
    return Deviation.objects.filter(label_reconciliation=reconciliation).order_by("pk").first()
