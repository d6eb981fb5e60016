"""Every state change of regulatory records (STYLE.md §1): master data through ``lims.services``, the
certification life cycle and shipments here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from production.models import Batch
from regulatory.eligibility import eligibility
from regulatory.models import Certification, Shipment

S = Certification.Status
TRANSITIONS = {
    "activate": ({S.PENDING, S.SUSPENDED}, S.ACTIVE),
    "suspend": ({S.ACTIVE}, S.SUSPENDED),
    "withdraw": ({S.PENDING, S.ACTIVE, S.SUSPENDED}, S.WITHDRAWN),
    "expire": ({S.ACTIVE, S.SUSPENDED}, S.EXPIRED),
}


def _move(certification, action, reason):
    allowed, target = TRANSITIONS[action]
    cert = Certification.objects.select_for_update().get(pk=certification.pk)
    if cert.status not in allowed:
        raise DomainError(_("Certification %(number)s is %(status)s and cannot be moved to %(target)s.")
                          % {"number": cert.number, "status": cert.get_status_display(), "target": target.label},
                          "invalid_state")
    if action in ("suspend", "withdraw") and not reason:
        raise ValidationError({"reason": [_("Give the reason for this decision.")]})
    cert.status = target
    cert.status_reason = reason
    cert.save()
    return cert


@service
def create_certification(data: dict, *, user, reason=""):
    """Register a certification; ``status`` may be given (default ``pending``), e.g. ``active`` for a
    certificate already issued."""
    data = dict(data)
    status = data.pop("status", None) or S.PENDING
    cert = Certification(**data)
    cert.status = status
    cert.full_clean()
    cert.save()
    return cert


@service
def update_certification(certification, changes: dict, *, user, reason="", expected_version=None):
    """Edit the register entry under a row lock (409 ``stale_version``); a change of ``status`` follows the
    life cycle (409 ``invalid_state``; suspension and withdrawal need a reason)."""
    from lims.services import check_version

    changes = dict(changes)
    status = changes.pop("status", None)
    cert = Certification.objects.select_for_update().get(pk=certification.pk)
    check_version(cert.version, expected_version)
    for field, value in changes.items():
        setattr(cert, field, value)
    cert.full_clean()
    cert.save()
    if status and status != cert.status:
        action = {S.ACTIVE: "activate", S.SUSPENDED: "suspend", S.WITHDRAWN: "withdraw", S.EXPIRED: "expire"}.get(
            status)
        if action is None:
            raise DomainError(_("A certification cannot return to %(status)s.") % {"status": S(status).label},
                              "invalid_state")
        cert = _move(cert, action, reason)
    return cert


@service
def activate_certification(certification, *, user, reason=""):
    """pending | suspended → active."""
    return _move(certification, "activate", reason)


@service
def suspend_certification(certification, *, user, reason=""):
    """active → suspended (reason required)."""
    return _move(certification, "suspend", reason)


@service
def withdraw_certification(certification, *, user, reason=""):
    """pending | active | suspended → withdrawn (reason required)."""
    return _move(certification, "withdraw", reason)


@service
def expire_certification(certification, *, user, reason=""):
    """active | suspended → expired."""
    return _move(certification, "expire", reason)


@service
def record_shipment(*, batch, market, quantity, shipped_on, consignee, export_certificate_number="", user,
                    reason=""):
    """Ship ``quantity`` kits of a lot to a market (DESIGN.md, Shipment).

    The batch row is locked (``select_for_update``) so concurrent shipments of one lot are serialised and cannot
    oversell it; eligibility is re-checked on the locked row for ``shipped_on``: any reason other than
    ``nothing_to_ship`` → 409 ``not_eligible`` with every reason; more than released − shipped → 409
    ``insufficient_quantity``. Nothing is written when refused.

    ``Batch.quantity_shipped`` is ``editable=False`` on production's model: it is set here, on the locked row,
    inside this audited transaction, because a shipment belongs to regulatory (production never ships)."""
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": [_("Ship at least one kit.")]})
    locked = Batch.objects.select_for_update().select_related("product").get(pk=batch.pk)
    _ok, reasons = eligibility(locked, market, shipped_on)
    blocking = [r for r in reasons if r["code"] != "nothing_to_ship"]
    if blocking:
        raise DomainError(_("Lot %(lot)s may not be shipped to %(market)s on %(date)s.")
                          % {"lot": locked.lot_number, "market": market.code, "date": shipped_on.isoformat()},
                          "not_eligible", reasons=reasons)
    available = locked.quantity_released - locked.quantity_shipped
    if quantity > available:
        raise DomainError(_("Only %(available)s kits of lot %(lot)s are released and not yet shipped; %(quantity)s "
                            "requested.") % {"available": available, "lot": locked.lot_number, "quantity": quantity},
                          "insufficient_quantity", available=available)
    shipment = Shipment(batch=locked, market=market, quantity=quantity, shipped_on=shipped_on, consignee=consignee,
                        export_certificate_number=export_certificate_number, shipped_by=user)
    shipment.full_clean()
    shipment.save()
    locked.quantity_shipped += quantity
    locked.save()
    return shipment
