"""Every state change of regulatory records (STYLE.md §1): master data through ``lims.services``, the
certification life cycle and shipments here."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lims.audit import service
from lims.errors import DomainError
from lims.services import update_record
from lims.signatures import SigningAction, sign
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
    changes = dict(changes)
    status = changes.pop("status", None)
    cert = update_record(certification, changes, user=user, reason=reason, expected_version=expected_version)
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


# Dossiers ------------------------------------------------------------------------------------------------------

@service
def create_dossier(*, product, market, template, user, reason=""):
    """A draft dossier whose items are copied from the template's checklist at creation."""
    from lims.audit import bulk_create_tracked
    from regulatory.models import Dossier, DossierItem

    dossier = Dossier(product=product, market=market, template=template)
    dossier.full_clean()
    dossier.save()
    bulk_create_tracked(DossierItem, [DossierItem(dossier=dossier, position=i.position, title=i.title,
                                                  required=i.required) for i in template.items.all()])
    return dossier


@service
def upload_document(item, upload, *, user, reason=""):
    """Store a new version of the item's document (never overwriting): type by content, size limit, SHA-256."""
    import hashlib

    from django.core.files.base import ContentFile

    from regulatory.documents import max_upload_bytes, sniff
    from regulatory.models import Document, Dossier, DossierItem

    item = DossierItem.objects.select_related("dossier").get(pk=item.pk)
    dossier = Dossier.objects.select_for_update().get(pk=item.dossier_id)
    if dossier.status not in (Dossier.Status.DRAFT, Dossier.Status.READY):
        raise DomainError(_("Dossier %(d)s is %(status)s; documents can no longer be added.")
                          % {"d": dossier, "status": dossier.get_status_display()}, "invalid_state")
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]})
    data = upload.read()
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError({"file": [_("Only PDF, DOCX, XLSX, PNG and JPEG files are accepted (recognised by "
                                          "their content).")]})
    last = item.documents.order_by("-version_number").first()
    doc = Document(item=item, version_number=(last.version_number + 1) if last else 1,
                   original_name=upload.name.rsplit("/", 1)[-1][:200], content_type=content_type, size=len(data),
                   sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user)
    doc.file.save(doc.original_name, ContentFile(data), save=False)
    doc.save()
    return doc


@service
def remove_document(document, *, user, reason=""):
    """Mark a document version removed — refused (409) once a dossier referencing it is submitted."""
    from regulatory.models import Document, Dossier

    doc = Document.objects.select_related("item__dossier").select_for_update().get(pk=document.pk)
    if doc.item.dossier.status not in (Dossier.Status.DRAFT, Dossier.Status.READY):
        raise DomainError(_("The document belongs to a submitted dossier and cannot be removed."),
                          "document_locked")
    doc.removed = True
    doc.save()
    return doc


@service
def mark_dossier_ready(dossier, *, user, reason=""):
    """draft → ready, when no required item is missing."""
    from regulatory.models import Dossier

    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status != Dossier.Status.DRAFT:
        raise DomainError(_("Only a draft dossier can be made ready."), "invalid_state")
    _percent, gaps = dossier.completeness()
    if gaps:
        raise DomainError(_("The dossier has gaps."), "incomplete",
                          reasons=[{"code": "missing_document", "detail": g} for g in gaps])
    dossier.status = Dossier.Status.READY
    dossier.save()
    return dossier


SUBMIT_DOSSIER = SigningAction("regulatory.submit_dossier", ("submitted",), permission="regulatory.change_dossier")


@service(signs=SUBMIT_DOSSIER)
def submit_dossier(dossier, *, username: str, password: str, meaning: str = "", user, reason: str = ""):
    """ready → submitted, signed with the meaning "submitted"."""
    from regulatory.models import Dossier

    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status != Dossier.Status.READY:
        raise DomainError(_("Only a ready dossier can be submitted."), "invalid_state")
    dossier.status = Dossier.Status.SUBMITTED
    dossier.save()
    sign(dossier, user=user, meaning=meaning, reason=reason)
    return dossier


@service
def decide_dossier(dossier, *, approved: bool, user, reason=""):
    """submitted → approved | rejected (the authority's answer)."""
    from regulatory.models import Dossier

    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status != Dossier.Status.SUBMITTED:
        raise DomainError(_("Only a submitted dossier can be approved or rejected."), "invalid_state")
    dossier.status = Dossier.Status.APPROVED if approved else Dossier.Status.REJECTED
    dossier.save()
    return dossier


@service
def cite_study(dossier, study, *, user, reason=""):
    """Cite a performance study of the dossier's product as evidence. Refused for another product's study, a
    study cited already, or a dossier that is submitted or decided (its content is frozen)."""
    from regulatory.models import Dossier, DossierStudy

    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if dossier.status not in (Dossier.Status.DRAFT, Dossier.Status.READY):
        raise DomainError(_("Dossier %(d)s is %(s)s: its evidence can no longer change.")
                          % {"d": dossier, "s": dossier.get_status_display()}, "dossier_locked")
    if study.product_id != dossier.product_id:
        raise ValidationError({"study": [_("This study is of another product (%(p)s).") % {"p": study.product}]})
    if dossier.studies.filter(study=study).exists():
        raise ValidationError({"study": [_("This study is cited already.")]})
    link = DossierStudy(dossier=dossier, study=study)
    link.full_clean()
    link.save()
    return link
