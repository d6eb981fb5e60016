"""Every state change of regulatory records (STYLE.md §1): master data through ``lims.services``, the
certification life cycle and shipments here."""

import hashlib
import re
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import bulk_create_tracked, service
from lims.errors import DomainError
from lims.services import update_record
from lims.signatures import SigningAction, sign
from production.models import Batch
from production.services import add_shipped_quantity
from qc.models import Deviation
from regulatory.documents import max_upload_bytes, sniff
from regulatory.eligibility import eligibility
from regulatory.models import (
    BatchVerification,
    BatchVerificationDocument,
    Certification,
    Document,
    Dossier,
    DossierItem,
    DossierStudy,
    MarketRule,
    Shipment,
    ShipmentSerial,
)

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
    """active | suspended → expired; Regulatory is told (lims.notifications, after commit)."""
    from lims.notifications import notify

    cert = _move(certification, "expire", reason)
    notify("regulatory.certification_expired", cert, key=f"certification-expired:{cert.pk}:{cert.valid_until}",
           params=_cert_params(cert, days=0))
    return cert


def _cert_params(cert, *, days):
    return {"number": cert.number, "product": cert.product.code, "market": cert.market.code,
            "kind": cert.kind.code, "valid_until": cert.valid_until.isoformat() if cert.valid_until else "",
            "days": days}


def expire_due_certifications(*, user, today=None) -> int:
    """Every active or suspended certification whose validity ended before ``today`` → expired (one service
    call each: a retry or a second run finds them expired already and does nothing)."""
    today = today or timezone.localdate()
    due = Certification.objects.filter(status__in=[S.ACTIVE, S.SUSPENDED], valid_until__lt=today).order_by("pk")
    count = 0
    for cert in due:
        expire_certification(cert, user=user, reason=f"validity ended on {cert.valid_until}")
        count += 1
    return count


# Reminder windows before a certification ends (DESIGN.md, Runs on: "ending within 90 / 30 / 7 days").
REMINDER_DAYS = (90, 30, 7)


def certification_reminders(*, today=None) -> int:
    """Tell Regulatory once per window (90, 30, 7 days) about each active certification ending within it."""
    from lims.notifications import notify

    today = today or timezone.localdate()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    sent = 0
    for cert in (Certification.objects.filter(status=S.ACTIVE, valid_until__gte=today, valid_until__lte=horizon)
                 .select_related("product", "market", "kind").order_by("pk")):
        days = (cert.valid_until - today).days
        window = min(w for w in REMINDER_DAYS if days <= w)
        if notify("regulatory.certification_ending", cert,
                  key=f"certification-ending:{cert.pk}:{cert.valid_until}:{window}",
                  params=_cert_params(cert, days=days)) is not None:
            sent += 1
    return sent


@service
def record_shipment(*, batch, market, quantity, shipped_on, consignee, export_certificate_number="", serials=(),
                    user, reason=""):
    """Ship ``quantity`` kits of a lot to a market (DESIGN.md, Shipment).

    The batch row is locked (``select_for_update``) so concurrent shipments of one lot are serialised and cannot
    oversell it; eligibility is re-checked on the locked row for ``shipped_on``: any reason other than
    ``nothing_to_ship`` → 409 ``not_eligible`` with every reason; more than released − shipped → 409
    ``insufficient_quantity``. ``serials`` are the case serials that leave, each typed or as scanned from the
    case label (``read_serials``): one of another lot, never issued, destroyed or shipped already → 409
    ``serial_unavailable`` naming each; the serials are kept one row each (a serial ships once: unique per lot)
    and as ranges on the shipment. Nothing is written when refused.

    The shipment belongs to regulatory; the batch's ``quantity_shipped`` is written by production
    (``production.services.add_shipped_quantity``) inside this audited transaction."""
    if quantity is None or quantity < 1:
        raise ValidationError({"quantity": [_("Ship at least one kit.")]})
    locked = Batch.objects.select_for_update().select_related("product").get(pk=batch.pk)
    _ok, reasons = eligibility(locked, market, shipped_on)
    blocking = [r for r in reasons if r["code"] != "nothing_to_ship"]
    open_deviations = list(Deviation.objects.filter(batch=locked).exclude(status=Deviation.Status.CLOSED)
                           .order_by("pk"))
    if open_deviations:  # e.g. a label reconciliation discrepancy found after release
        reason_row = {"code": "open_deviation", "detail": _("Deviations not closed: %(list)s.")
                      % {"list": ", ".join(str(d) for d in open_deviations)}}
        reasons, blocking = [*reasons, reason_row], [*blocking, reason_row]
    if blocking:
        raise DomainError(_("Lot %(lot)s may not be shipped to %(market)s on %(date)s.")
                          % {"lot": locked.lot_number, "market": market.code, "date": shipped_on.isoformat()},
                          "not_eligible", reasons=reasons)
    available = locked.quantity_released - locked.quantity_shipped
    if quantity > available:
        raise DomainError(_("Only %(available)s kits of lot %(lot)s are released and not yet shipped; %(quantity)s "
                            "requested.") % {"available": available, "lot": locked.lot_number, "quantity": quantity},
                          "insufficient_quantity", available=available)
    wanted = check_serials(locked, read_serials(serials, locked))
    shipment = Shipment(batch=locked, market=market, quantity=quantity, shipped_on=shipped_on, consignee=consignee,
                        export_certificate_number=export_certificate_number, shipped_by=user,
                        serial_ranges=serial_ranges(wanted))
    shipment.full_clean()
    shipment.save()
    if wanted:
        bulk_create_tracked(ShipmentSerial, [ShipmentSerial(shipment=shipment, batch=locked, serial=serial)
                                             for serial in wanted])
    add_shipped_quantity(locked, quantity, user=user, reason=reason)
    return shipment


def read_serials(lines, batch) -> list[tuple[str, str]]:
    """``[(serial, as given)]`` from what was typed or scanned, one entry per line: a plain serial (``000123``;
    digits are zero-padded as printed) or the case label's GS1 text (AI 21 the serial; AI 10, when present, must
    be the lot — else ``serial_unavailable``). Text that is neither → 400 on ``serials`` naming the line."""
    from lims.scan import ScanError, parse_scan
    from production.labelling.serials import normalise

    if isinstance(lines, str):
        lines = lines.splitlines()
    read, errors, other_lot = [], [], []
    for number, text in enumerate(lines or (), start=1):
        text = str(text).strip()
        if not text:
            continue
        if re.fullmatch(r"[0-9A-Za-z]{1,20}", text):
            read.append((normalise(text), text))
            continue
        try:
            scan = parse_scan(text)
        except ScanError as exc:
            errors.append(_("Line %(n)s: %(error)s") % {"n": number, "error": exc})
            continue
        if not scan.serial:
            errors.append(_("Line %(n)s: the scan carries no serial number (AI 21).") % {"n": number})
        elif scan.lot and scan.lot != batch.lot_number:
            other_lot.append({"code": "serial_unavailable", "serial": scan.serial, "detail": _(
                "Case %(serial)s is of lot %(other)s, not %(lot)s.") % {"serial": scan.serial, "other": scan.lot,
                                                                       "lot": batch.lot_number}})
        else:
            read.append((normalise(scan.serial), text))
    if errors:
        raise ValidationError({"serials": errors})
    if other_lot:
        raise DomainError(_("Some case serials cannot ship with lot %(lot)s.") % {"lot": batch.lot_number},
                          "serial_unavailable", reasons=other_lot)
    return read


def check_serials(batch, read) -> list[str]:
    """The serials to ship, in order; 409 ``serial_unavailable`` with one reason per serial that was never issued
    to the batch (no case print job's range holds it), is destroyed, is shipped already or is given twice."""
    from production.labelling.serials import DestroyedSerial, is_issued, issued_ranges

    serials = [serial for serial, _text in read]
    if not serials:
        return []
    ranges = issued_ranges(batch)
    destroyed = set(DestroyedSerial.objects.filter(batch=batch, serial__in=serials).values_list("serial", flat=True))
    shipped = dict(ShipmentSerial.objects.filter(batch=batch, serial__in=serials)
                   .values_list("serial", "shipment_id"))
    reasons, seen = [], set()
    for serial in serials:
        params = {"serial": serial, "lot": batch.lot_number}
        if serial in seen:
            detail = _("Case %(serial)s is given twice.") % params
        elif not is_issued(serial, ranges):
            detail = _("Case %(serial)s was never issued to lot %(lot)s (no case print job holds it).") % params
        elif serial in destroyed:
            detail = _("Case %(serial)s of lot %(lot)s was destroyed.") % params
        elif serial in shipped:
            detail = _("Case %(serial)s of lot %(lot)s has shipped already (shipment %(shipment)s).") % {
                **params, "shipment": shipped[serial]}
        else:
            seen.add(serial)
            continue
        reasons.append({"code": "serial_unavailable", "serial": serial, "detail": detail})
    if reasons:
        raise DomainError(_("Some case serials cannot ship with lot %(lot)s.") % {"lot": batch.lot_number},
                          "serial_unavailable", reasons=reasons)
    return serials


def serial_ranges(serials) -> list[list[str]]:
    """Consecutive serials compressed into ``[first, last]`` ranges, in numeric order (text serials alone)."""
    numeric = sorted({s for s in serials if s.isdigit()}, key=int)
    ranges = []
    for serial in numeric:
        if ranges and int(serial) == int(ranges[-1][1]) + 1:
            ranges[-1][1] = serial
        else:
            ranges.append([serial, serial])
    return ranges + [[s, s] for s in sorted({s for s in serials if not s.isdigit()})]


# IVDR batch verification (Annex IX §4.13) ---------------------------------------------------------------------

def verification_required(product) -> bool:
    """Does any market's rule send lots of this product's IVDR class to notified-body batch verification?"""
    return MarketRule.objects.filter(batch_verification_classes__icontains=product.ivdr_class).exists()


@service
def open_batch_verification(batch, *, notified_body="", reports_sent_on=None, samples_sent_on=None,
                            samples_required=True, user, reason=""):
    """Open the record of a released lot's batch verification (once per lot; 409 ``verification_exists``).
    Refused (409) for a lot that is not released or whose IVDR class no market sends to batch verification."""
    batch = Batch.objects.select_for_update().select_related("product").get(pk=batch.pk)
    if batch.status != Batch.Status.RELEASED:
        raise DomainError(_("Lot %(lot)s is not released; batch verification follows the manufacturer's own "
                            "release.") % {"lot": batch.lot_number}, "not_released")
    if not verification_required(batch.product):
        raise DomainError(_("No market sends lots of class %(cls)s to notified-body batch verification.")
                          % {"cls": batch.product.ivdr_class}, "verification_not_required")
    if BatchVerification.objects.filter(batch=batch).exists():
        raise DomainError(_("Lot %(lot)s has a batch verification already.") % {"lot": batch.lot_number},
                          "verification_exists")
    verification = BatchVerification(batch=batch, notified_body=notified_body or _default_body(batch.product),
                                     reports_sent_on=reports_sent_on, samples_sent_on=samples_sent_on,
                                     samples_required=samples_required)
    verification.full_clean()
    verification.save()
    return verification


def _default_body(product) -> str:
    """The notified body of the product's IVDR certificate, when one is registered."""
    cert = (Certification.objects.filter(product=product, kind__code="ivdr_certificate")
            .exclude(issuing_body="").order_by("-valid_from").first())
    return cert.issuing_body if cert else ""


VERIFICATION_FIELDS = ("notified_body", "reports_sent_on", "samples_sent_on", "samples_required")


@service
def update_batch_verification(verification, changes: dict, *, user, reason="", expected_version=None):
    """Record what was sent and when (notified body, reports and samples sent on) while the decision is pending
    (409 ``verification_decided`` after it); an edit needs a reason and a current ``version``."""
    unknown = set(changes) - set(VERIFICATION_FIELDS)
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in sorted(unknown)})
    verification = BatchVerification.objects.select_for_update().get(pk=verification.pk)
    if verification.status != BatchVerification.Status.PENDING:
        raise DomainError(_("The notified body has decided; the record of what was sent is closed."),
                          "verification_decided")
    return update_record(verification, changes, user=user, reason=reason, expected_version=expected_version)


@service
def upload_verification_document(verification, upload, *, kind="test_reports", user, reason=""):
    """Keep a document of the verification (type by content, size limit, SHA-256, stored under a safe name)."""
    if kind not in BatchVerificationDocument.Kind.values:
        raise ValidationError({"kind": [_("Choose one of: %(kinds)s.")
                                        % {"kinds": ", ".join(BatchVerificationDocument.Kind.values)}]})
    data, content_type = _read_upload(upload)
    name = original_name(upload.name)
    digest = hashlib.sha256(data).hexdigest()
    doc = BatchVerificationDocument(verification=verification, kind=kind, original_name=name,
                                    content_type=content_type, size=len(data), sha256=digest, uploaded_by=user)
    doc.file.save(storage_name(name, digest), ContentFile(data), save=False)
    doc.save()
    return doc


def _decision_refusal(user, verification):
    if verification.status != BatchVerification.Status.PENDING:
        return _("The notified body's decision is recorded already (%(status)s).") % {
            "status": verification.get_status_display()}
    return None


DECISION_MEANING = {BatchVerification.Status.CONFIRMED: "verified", BatchVerification.Status.OBJECTED: "rejected"}
DECIDE_BATCH_VERIFICATION = SigningAction(
    "regulatory.decide_batch_verification", ("verified", "rejected"),
    derive=lambda kwargs: DECISION_MEANING[kwargs["decision"]], may_sign=_decision_refusal,
    permission="regulatory.decide_batchverification")


@service(signs=DECIDE_BATCH_VERIFICATION)
def decide_batch_verification(verification, *, decision: str, decided_on=None, username: str, password: str,
                              meaning: str = "", user, reason: str = ""):
    """Record the notified body's answer, signed: ``confirmed`` (signed "verified") or ``objected`` (signed
    "rejected"; the objection's reason is required). Only a pending verification is decided (409
    ``verification_decided``); the date is not in the future nor before the reports were sent. Regulatory and QA
    are told (lims.notifications)."""
    from lims.notifications import notify

    if decision not in DECISION_MEANING:
        raise ValidationError({"decision": [_("Choose confirmed or objected.")]})
    verification = BatchVerification.objects.select_for_update().select_related("batch").get(pk=verification.pk)
    refusal = _decision_refusal(user, verification)
    if refusal:
        raise DomainError(refusal, "verification_decided")
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": [_("This date is in the future.")]})
    if verification.reports_sent_on and decided_on < verification.reports_sent_on:
        raise ValidationError({"decided_on": [_("The decision cannot precede the test reports it answers "
                                                "(sent on %(date)s).") % {"date": verification.reports_sent_on}]})
    if decision == BatchVerification.Status.OBJECTED and not reason:
        raise ValidationError({"reason": [_("Give the notified body's reason for the objection.")]})
    verification.status = decision
    verification.decided_on = decided_on
    verification.objection_reason = reason if decision == BatchVerification.Status.OBJECTED else ""
    verification.save()
    sign(verification, user=user, meaning=meaning, reason=reason)
    notify("regulatory.batch_verification_decided", verification, key=f"batch-verification-decided:{verification.pk}",
           params={"lot": verification.batch.lot_number, "status": decision, "date": decided_on.isoformat(),
                   "body": verification.notified_body, "reason": verification.objection_reason})
    return verification


def released_lots_awaiting_verification(limit=None):
    """Released lots of a class some market sends to batch verification that have no verification record."""
    classes = {c for rule in MarketRule.objects.exclude(batch_verification_classes="")
               for c in rule.batch_verification_classes.upper() if c in "ABCD"}
    lots = (Batch.objects.filter(status=Batch.Status.RELEASED, product__ivdr_class__in=classes,
                                 batch_verification__isnull=True).select_related("product").order_by("pk"))
    return lots[:limit] if limit else lots


def open_due_batch_verifications(*, user) -> int:
    """Open a verification record for every released lot that needs one (one service call each: a retry finds
    them open already)."""
    count = 0
    for batch in released_lots_awaiting_verification():
        open_batch_verification(batch, user=user, reason="")
        count += 1
    return count


def batch_verification_clock_notices(*, today=None) -> int:
    """Tell Regulatory and QA once when a pending verification's objection period has ended without objection:
    the lot may now be placed on the market."""
    from lims.notifications import notify

    today = today or timezone.localdate()
    sent = 0
    for v in (BatchVerification.objects.filter(status=BatchVerification.Status.PENDING,
                                               reports_sent_on__isnull=False).select_related("batch").order_by("pk")):
        end = v.clock_ends_on()
        if end is None or end > today:
            continue
        if notify("regulatory.batch_verification_period_ended", v, key=f"batch-verification-period:{v.pk}:{end}",
                  params={"lot": v.batch.lot_number, "end": end.isoformat(), "days": v.objection_days,
                          "body": v.notified_body}) is not None:
            sent += 1
    return sent


# Uploaded files -----------------------------------------------------------------------------------------------

def original_name(name: str) -> str:
    """The name as the user's file had it, whole (the folder part dropped); shown and put in bundles."""
    return (name or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "document"


def storage_name(name: str, digest: str) -> str:
    """A safe file-system name: the content's hash and the original extension (letters and digits only); the
    original name is kept whole on the record."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    ext = ext if re.fullmatch(r"[a-z0-9]{1,8}", ext) else "bin"
    return f"{digest[:16]}.{ext}"


def _read_upload(upload):
    limit = max_upload_bytes()
    if upload.size > limit:
        raise ValidationError({"file": [_("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}]})
    data = upload.read()
    content_type = sniff(data)
    if content_type is None:
        raise ValidationError({"file": [_("Only PDF, DOCX, XLSX, PNG and JPEG files are accepted (recognised by "
                                          "their content).")]})
    return data, content_type


# Dossiers ------------------------------------------------------------------------------------------------------

@service
def create_dossier(*, product, market, template, user, reason=""):
    """A draft dossier whose items are copied from the template's checklist at creation."""
    dossier = Dossier(product=product, market=market, template=template)
    dossier.full_clean()
    dossier.save()
    bulk_create_tracked(DossierItem, [DossierItem(dossier=dossier, position=i.position, title=i.title,
                                                  required=i.required) for i in template.items.all()])
    return dossier


@service
def upload_document(item, upload, *, user, reason=""):
    """Store a new version of the item's document (never overwriting): type by content, size limit, SHA-256."""
    item = DossierItem.objects.select_related("dossier").get(pk=item.pk)
    dossier = Dossier.objects.select_for_update().get(pk=item.dossier_id)
    if dossier.status not in (Dossier.Status.DRAFT, Dossier.Status.READY):
        raise DomainError(_("Dossier %(d)s is %(status)s; documents can no longer be added.")
                          % {"d": dossier, "status": dossier.get_status_display()}, "invalid_state")
    data, content_type = _read_upload(upload)
    last = item.documents.order_by("-version_number").first()
    digest = hashlib.sha256(data).hexdigest()
    doc = Document(item=item, version_number=(last.version_number + 1) if last else 1,
                   original_name=original_name(upload.name), content_type=content_type, size=len(data),
                   sha256=digest, uploaded_by=user)
    doc.file.save(storage_name(doc.original_name, digest), ContentFile(data), save=False)
    doc.save()
    return doc


@service
def remove_document(document, *, user, reason=""):
    """Mark a document version removed — refused (409) once a dossier referencing it is submitted."""
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
