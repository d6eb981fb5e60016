"""Every state change of production (STYLE.md §1): master data with its process and BOM, material lots and
their incoming decision, batches from numbering to completion. Each function takes the acting ``user`` and a
``reason`` (keyword-only), runs in one transaction, locks what it changes, and refuses with a DomainError code."""

from __future__ import annotations

import string
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lims.audit import bulk_create_tracked, service
from lims.errors import DomainError, ReasonRequired
from lims.services import create_record, update_record
from production.models import (
    Batch,
    BatchReject,
    BatchStep,
    BillOfMaterials,
    BomLine,
    Consumption,
    Line,
    LotSequence,
    MaterialLot,
    Plant,
    ProcessStep,
    Product,
)

DEFAULT_LOT_NUMBER_PATTERN = "SC{yymmdd}{line}{seq:02d}"
LOT_NUMBER_MAX_LENGTH = 20  # GS1 AI (10): at most 20 characters (DOMAIN.md §8)


def _qty(value) -> str:
    return f"{Decimal(value).normalize():f}"


# --- Master data -----------------------------------------------------------------------------------------

@service
def record_supported_shelf_life(product, months, *, user, reason: str = ""):
    """Store the shelf life (months) that approved real-time stability studies support, or None. Called by QC
    (qc.stability) whenever a study is approved or its results change; production never computes it."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.supported_shelf_life_months != months:
        product.supported_shelf_life_months = months
        product.save()
    return product


@service
def create_product(data: dict, *, user, reason: str = "", steps=None):
    """A product with its manufacturing process: ``steps`` as [(code, name)] in order, by default the
    lateral-flow process of DOMAIN.md §2."""
    product = create_record(Product, data, user=user, reason=reason)
    steps = ProcessStep.STANDARD if steps is None else steps
    bulk_create_tracked(ProcessStep, [
        ProcessStep(product=product, sequence=i, code=code, name=_in(name, "en"),
                    name_zh=rest[0] if rest else _in(name, "zh-hans", only_lazy=True))
        for i, (code, name, *rest) in enumerate(steps, start=1)
    ])
    return product


def _in(text, language, only_lazy=False) -> str:
    """A (lazily) translated name in ``language``: a standard step is named in English and in Chinese whatever
    the language of the person creating the product; a plain string stays as given (``only_lazy``: "" then)."""
    if isinstance(text, str):
        return "" if only_lazy else text
    with translation.override(language):
        return str(text)


@service
def create_bom(product, lines, *, user, reason: str = "", effective_from: date | None = None, notes: str = ""):
    """A new BOM version for ``product`` from ``lines`` [(material, quantity per kit)]; it becomes the current
    version and the previous one stops being current (batches keep the version they were made with)."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    seen = set()
    for material, quantity in lines:
        if material.pk in seen:
            raise ValidationError({"lines": [_("%(material)s appears twice.") % {"material": material}]})
        seen.add(material.pk)
        if Decimal(quantity) <= 0:
            raise ValidationError({"lines": [_("The quantity per kit of %(material)s must be above zero.")
                                             % {"material": material}]})
    if not lines:
        raise ValidationError({"lines": [_("A bill of materials needs at least one material.")]})
    last = product.boms.order_by("-version_number").first()
    for previous in product.boms.filter(is_current=True):
        previous.is_current = False
        previous.save()
    bom = BillOfMaterials.objects.create(
        product=product, version_number=(last.version_number + 1) if last else 1, is_current=True,
        effective_from=effective_from or timezone.localdate(), notes=notes)
    bulk_create_tracked(BomLine, [BomLine(bom=bom, material=m, quantity_per_kit=Decimal(q)) for m, q in lines])
    return bom


# --- Material lots ---------------------------------------------------------------------------------------

@service
def receive_material_lot(*, material, supplier_lot: str, expiry_date: date, quantity=Decimal("0"),
                         supplier: str = "", received_on: date | None = None, user, reason: str = ""):
    """A delivered component lot enters quarantine until incoming QC approves it."""
    quantity = Decimal(quantity if quantity is not None else 0)
    lot = MaterialLot(material=material, supplier=supplier or "", supplier_lot=supplier_lot,
                      received_on=received_on or timezone.localdate(), expiry_date=expiry_date,
                      quantity_received=quantity, quantity_remaining=quantity)
    lot.full_clean()
    lot.save()
    return lot


def _decide(lot, status, *, user, reason):
    lot = MaterialLot.objects.select_for_update().select_related("material").get(pk=lot.pk)
    if lot.status != MaterialLot.Status.QUARANTINE:
        raise DomainError(
            _("Only a lot in quarantine can be approved or rejected; %(lot)s is %(status)s.")
            % {"lot": lot, "status": lot.get_status_display()}, "invalid_state")
    if status == MaterialLot.Status.APPROVED and lot.is_expired():
        raise DomainError(_("Lot %(lot)s expired on %(date)s and cannot be approved.")
                          % {"lot": lot, "date": lot.expiry_date.isoformat()}, "lot_expired")
    lot.status = status
    lot.decided_by = user
    lot.decided_at = timezone.now()
    lot.decision_reason = reason
    lot.save()
    return lot


@service
def approve_material_lot(lot, *, user, reason: str = ""):
    """quarantine → approved (incoming QC). An expired lot is not approved."""
    return _decide(lot, MaterialLot.Status.APPROVED, user=user, reason=reason)


@service
def reject_material_lot(lot, *, user, reason: str = ""):
    """quarantine → rejected (incoming QC); the reason is required (EU GMP Annex 11 §9)."""
    if not reason:
        raise ReasonRequired()
    return _decide(lot, MaterialLot.Status.REJECTED, user=user, reason=reason)


# --- Lot numbers -----------------------------------------------------------------------------------------

class _SequenceSlot:
    """Stands in for ``{seq…}`` while the prefix (everything but the sequence) is rendered."""

    def __format__(self, spec):
        return "#"


def lot_number_pattern() -> str:
    return getattr(settings, "LIMS_LOT_NUMBER_PATTERN", DEFAULT_LOT_NUMBER_PATTERN)


def _pattern_values(product, line, manufactured_on):
    return {"yymmdd": manufactured_on.strftime("%y%m%d"), "yyyymmdd": manufactured_on.strftime("%Y%m%d"),
            "line": line.code, "product": product.code}


def next_lot_number(product, line, manufactured_on: date) -> str:
    """The next lot number of ``LIMS_LOT_NUMBER_PATTERN`` (default ``SC{yymmdd}{line}{seq:02d}``; fields yymmdd,
    yyyymmdd, line, product, seq). The counter row of the prefix is locked until the caller's transaction ends,
    so two creators never draw the same number (PostgreSQL row lock; SQLite serialises writers)."""
    pattern = lot_number_pattern()
    values = _pattern_values(product, line, manufactured_on)
    fields = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name}
    if "seq" not in fields or not fields <= {*values, "seq"}:
        raise DomainError(_("The lot number pattern %(pattern)s is not usable: it needs {seq} and may use only "
                            "{yymmdd}, {yyyymmdd}, {line} and {product}.") % {"pattern": pattern}, "bad_lot_pattern")
    prefix = pattern.format(**values, seq=_SequenceSlot())
    counter, _created = LotSequence.objects.select_for_update().get_or_create(prefix=prefix)
    while True:
        counter.last_value += 1
        lot_number = pattern.format(**values, seq=counter.last_value)
        if not Batch.objects.filter(lot_number=lot_number).exists():  # e.g. numbers taken before a pattern change
            break
    if len(lot_number) > LOT_NUMBER_MAX_LENGTH:
        raise DomainError(_("The lot number %(lot)s is longer than the 20 characters GS1 allows.")
                          % {"lot": lot_number}, "lot_number_too_long")
    counter.save(update_fields=["last_value"])
    return lot_number


# --- Batches ---------------------------------------------------------------------------------------------

def _lock(batch) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).select_related("product", "line", "bom").get(pk=batch.pk)


def _require_status(batch, *allowed, action):
    if batch.status not in allowed:
        raise DomainError(
            _("%(action)s is not possible: batch %(lot)s is %(status)s.")
            % {"action": action, "lot": batch.lot_number, "status": batch.get_status_display()}, "invalid_state")


def check_pilot(kind: str, line, planned_quantity) -> None:
    """A pilot batch (issue 20: a project's first lots) is made on a manual line and is small: at most the
    plant's ``pilot_batch_max_kits``. Field errors (400), nothing stored."""
    if kind != Batch.Kind.PILOT:
        return
    errors = {}
    if line is not None and line.kind != Line.Kind.MANUAL:
        errors["line"] = [_("A pilot batch is made on a manual line; %(line)s is %(kind)s.") % {
            "line": line.code, "kind": line.get_kind_display()}]
    limit = Plant.pilot_batch_limit()
    if planned_quantity is not None and planned_quantity > limit:
        errors["planned_quantity"] = [_("A pilot batch is at most %(max)s kits (the plant's pilot limit).") % {
            "max": limit}]
    if errors:
        raise ValidationError(errors)


@service
def create_batch(*, product, line, planned_quantity: int, manufactured_on: date | None = None, user,
                 reason: str = "", kind: str = Batch.Kind.COMMERCIAL):
    """A planned batch on a line: numbered from the pattern, with the expiry from the product's shelf life and
    the product's current BOM version. An inactive line takes no batch. A ``pilot`` batch follows check_pilot
    and otherwise the same record and release rules."""
    manufactured_on = manufactured_on or timezone.localdate()
    kind = kind or Batch.Kind.COMMERCIAL
    if kind not in Batch.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of batch “%(kind)s”.") % {"kind": kind}]})
    if not line.active:
        raise DomainError(_("Line %(line)s is not active.") % {"line": line.code}, "line_inactive")
    check_pilot(kind, line, planned_quantity)
    batch = Batch(product=product, line=line, planned_quantity=planned_quantity, manufactured_on=manufactured_on,
                  expiry_date=product.expiry_for(manufactured_on), kind=kind,
                  bom=product.boms.filter(is_current=True).first())
    batch.lot_number = "-"  # numbered below, after validation, so a refused batch does not use a number
    batch.full_clean(exclude=["lot_number"])
    batch.lot_number = next_lot_number(product, line, manufactured_on)
    batch.save()
    return batch


@service
def update_batch(batch, changes: dict, *, user, reason: str = "", expected_version=None):
    """Edit the plan of a batch (planned quantity, manufacturing date → expiry), with a reason like every edit.
    Product and line are fixed once numbered."""

    def check(locked, changes):
        errors = {}
        for field in ("product", "line"):
            if field in changes and changes.pop(field) != getattr(locked, field):
                errors[field] = [_("The product and line of a numbered batch cannot change.")]
        if "kind" in changes and changes.pop("kind") != locked.kind:
            errors["kind"] = [_("The kind of a numbered batch (pilot or commercial) cannot change.")]
        if errors:
            raise ValidationError(errors)
        if "planned_quantity" in changes:
            check_pilot(locked.kind, None, changes["planned_quantity"])
        if "manufactured_on" in changes and changes["manufactured_on"] != locked.manufactured_on:
            if locked.status != Batch.Status.PLANNED:
                raise DomainError(_("The manufacturing date can change only while the batch is planned."),
                                  "invalid_state")
            changes["expiry_date"] = locked.product.expiry_for(changes["manufactured_on"])

    batch = update_record(batch, changes, fields={"product", "line", "kind", "planned_quantity", "manufactured_on"},
                          check=check, user=user, reason=reason, expected_version=expected_version)
    return batch


def batch_expiry(batch) -> date:
    """manufactured_on + the product's shelf life, never later than the earliest expiry of a component lot the
    batch consumed (DOMAIN.md §8; API.md ``expiry_date``)."""
    expiry = batch.product.expiry_for(batch.manufactured_on)
    earliest = (MaterialLot.objects.filter(consumptions__batch=batch).order_by("expiry_date")
                .values_list("expiry_date", flat=True).first()) if batch.pk else None
    return min(expiry, earliest) if earliest else expiry


def _moment(at: datetime | None) -> datetime:
    now = timezone.now()
    if at is None:
        return now
    if at > now:
        raise ValidationError({"at": [_("A time in the future cannot be recorded.")]})
    return at


@service
def start_batch(batch, *, user, reason: str = "", at: datetime | None = None):
    """planned → in_production (DESIGN.md, Batch)."""
    batch = _lock(batch)
    _require_status(batch, Batch.Status.PLANNED, action=_("Starting"))
    if not batch.line.active:
        raise DomainError(_("Line %(line)s is not active.") % {"line": batch.line.code}, "line_inactive")
    batch.status = Batch.Status.IN_PRODUCTION
    batch.started_at = _moment(at)
    # The date of manufacture is the day manufacture started (DOMAIN.md §8), no longer the planned day; the
    # expiry follows from it (both changes are in the batch's history with this action's reason).
    batch.manufactured_on = timezone.localdate(batch.started_at)
    batch.expiry_date = batch_expiry(batch)
    batch.save()
    return batch


@service
def record_step(batch, *, step, started_at: datetime, ended_at: datetime, operator=None, equipment: str = "",
                notes: str = "", room_temperature_c=None, room_humidity_pct=None, user, reason: str = ""):
    """Log one step of the product's process performed on a batch in production (21 CFR 820.184 (d))."""
    batch = _lock(batch)
    _require_status(batch, Batch.Status.IN_PRODUCTION, action=_("Logging a step"))
    errors = {}
    if step.product_id != batch.product_id:
        errors["step"] = [_("This step is not part of the process of %(product)s.") % {"product": batch.product.code}]
    if started_at and ended_at and ended_at < started_at:
        errors["ended_at"] = [_("The step ends before it starts.")]
    if ended_at and ended_at > timezone.now():
        errors["ended_at"] = [_("A time in the future cannot be recorded.")]
    if errors:
        raise ValidationError(errors)
    row = BatchStep(batch=batch, step=step, operator=operator or user, equipment=equipment, notes=notes,
                    started_at=started_at, ended_at=ended_at, room_temperature_c=room_temperature_c,
                    room_humidity_pct=room_humidity_pct)
    row.full_clean()
    row.save()
    return row


@service
def record_steps(batch, rows, *, user, reason: str = ""):
    """Log several steps of the process at once (the steps sheet of the batch page): ``rows`` is a list of
    ``{"step", "started_at", "ended_at", "equipment"}``; each row is checked as ``record_step`` checks one, and
    nothing is recorded unless every row passes (errors keyed ``rows.<i>.<field>``)."""
    if not rows:
        raise ValidationError({"rows": [_("Tick at least one step done.")]})
    errors, done = {}, []
    for index, row in enumerate(rows):
        try:
            with transaction.atomic():
                done.append(record_step(batch, step=row["step"], started_at=row["started_at"],
                                        ended_at=row["ended_at"], equipment=row.get("equipment", ""),
                                        user=user, reason=reason))
        except ValidationError as exc:
            for field, messages_ in exc.message_dict.items():
                errors[f"rows.{index}.{field}"] = messages_
    if errors:
        raise ValidationError(errors)
    return done


@service
def consume_material(batch, *, material_lot, quantity, user, reason: str = "", at: datetime | None = None):
    """Use ``quantity`` of a component lot on a batch in production. Refused for a lot expired on the day of use
    (code ``material_expired``), a lot not approved by incoming QC (``material_not_approved``), a material that
    is not in the batch's BOM version (``not_in_bom``) and more than the lot holds (``insufficient_quantity``) —
    every failing reason is listed (DESIGN.md, Material lot).

    A lot that expires before the batch's expiry is accepted and shortens it to the lot's expiry (a kit never
    outlives a component in it, DOMAIN.md §8): the batch's history says which lot, and the returned consumption
    carries ``expiry_capped = (previous, new)`` (None when the expiry did not change)."""
    try:
        quantity = Decimal(str(quantity))
    except ArithmeticError:
        raise ValidationError({"quantity": [_("Enter a number.")]}) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError({"quantity": [_("The quantity must be above zero.")]})
    moment = _moment(at)
    batch = _lock(batch)
    _require_status(batch, Batch.Status.IN_PRODUCTION, action=_("Consuming material"))
    lot = MaterialLot.objects.select_for_update().select_related("material").get(pk=material_lot.pk)
    failures = []
    if lot.is_expired(on=timezone.localdate(moment)):
        failures.append(("material_expired", _("Lot %(lot)s expired on %(date)s.")
                         % {"lot": lot, "date": lot.expiry_date.isoformat()}))
    if lot.status != MaterialLot.Status.APPROVED:
        failures.append(("material_not_approved", _("Lot %(lot)s is %(status)s, not approved by incoming QC.")
                         % {"lot": lot, "status": lot.get_status_display()}))
    if batch.bom is not None and not batch.bom.lines.filter(material_id=lot.material_id).exists():
        failures.append(("not_in_bom", _("%(material)s is not in %(bom)s.")
                         % {"material": lot.material, "bom": batch.bom}))
    if quantity > lot.quantity_remaining:
        failures.append(("insufficient_quantity", _("Lot %(lot)s has %(left)s %(unit)s left, %(asked)s asked.")
                         % {"lot": lot, "left": _qty(lot.quantity_remaining),
                            "unit": lot.material.get_unit_display(), "asked": _qty(quantity)}))
    if failures:
        raise DomainError(" ".join(str(detail) for _code, detail in failures), failures[0][0],
                          reasons=[{"code": code, "detail": detail} for code, detail in failures])
    lot.quantity_remaining -= quantity
    lot.save()
    consumption = Consumption.objects.create(batch=batch, material_lot=lot, quantity=quantity, consumed_at=moment,
                                             consumed_by=user)
    previous = batch.expiry_date
    consumption.expiry_capped = None
    if shortens_expiry(batch, lot):
        cap_expiry(batch, lot.expiry_date, user=user, reason=_(
            "Expiry shortened from %(old)s to %(new)s: component lot %(lot)s expires on %(new)s.")
            % {"old": previous.isoformat(), "new": lot.expiry_date.isoformat(), "lot": lot})
        consumption.expiry_capped = (previous, lot.expiry_date)
        batch.expiry_date = lot.expiry_date  # the in-memory row the consumption points to follows the cap
    return consumption


def shortens_expiry(batch, lot) -> bool:
    """Would consuming ``lot`` shorten the batch's expiry (the page warns before confirming)?"""
    return lot.expiry_date < batch.expiry_date


def bom_rows(batch, kits: int) -> list[dict]:
    """The BOM rule, computed once for the batch page and for completion: for each line of the batch's BOM
    version, ``required`` = quantity per kit × ``kits``, ``consumed`` = what the batch used of that material, and
    ``short`` = what is missing (0 when covered)."""
    if batch.bom is None:
        return []
    consumed = dict(
        Consumption.objects.filter(batch=batch).order_by().values("material_lot__material_id")
        .annotate(total=Sum("quantity")).values_list("material_lot__material_id", "total"))
    rows = []
    for line in batch.bom.lines.select_related("material"):
        required = line.quantity_per_kit * kits
        have = consumed.get(line.material_id) or Decimal("0")
        rows.append({"line": line, "material": line.material, "required": required, "consumed": have,
                     "short": max(required - have, Decimal("0"))})
    return rows


def bom_shortfalls(batch, kits: int) -> list[dict]:
    """Materials of the batch's BOM version with less consumed than quantity per kit × ``kits``."""
    return [row for row in bom_rows(batch, kits) if row["short"] > 0]


@service
def complete_batch(batch, *, quantity_made: int, rejects=(), user, reason: str = "", at: datetime | None = None):
    """in_production → awaiting_qc with the quantity made and the rejects by reason [(reject reason, quantity)].

    BOM rule: every kit made or rejected used its components, so for each material of the batch's BOM version
    the quantity consumed must be at least quantity per kit × (made + rejected); otherwise the completion is
    refused (``bom_shortfall``) naming each material that is short. Over-consumption (set-up waste) is allowed."""
    batch = _lock(batch)
    _require_status(batch, Batch.Status.IN_PRODUCTION, action=_("Completing"))
    errors = {}
    if quantity_made is None or int(quantity_made) < 0:
        errors["quantity_made"] = [_("The quantity made cannot be negative.")]
    totals: dict = defaultdict(int)
    for index, (reject_reason, quantity) in enumerate(rejects):
        if quantity is None or int(quantity) <= 0:
            errors[f"rejects.{index}.quantity"] = [_("A reject quantity must be above zero.")]
        elif reject_reason.pk in totals:
            errors[f"rejects.{index}.reason"] = [_("%(reason)s is listed twice.") % {"reason": reject_reason.code}]
        else:
            totals[reject_reason.pk] = int(quantity)
    if errors:
        raise ValidationError(errors)
    quantity_made = int(quantity_made)
    quantity_rejected = sum(totals.values())
    short = bom_shortfalls(batch, quantity_made + quantity_rejected)
    if short:
        details = [
            _("%(material)s: consumed %(consumed)s %(unit)s, needs %(required)s (short %(short)s)") % {
                "material": s["material"], "unit": s["material"].get_unit_display(),
                "consumed": _qty(s["consumed"]),
                "required": _qty(s["required"]), "short": _qty(s["short"])}
            for s in short]
        raise DomainError(
            _("Not enough material recorded for %(kits)s kits (made + rejected): %(list)s.")
            % {"kits": quantity_made + quantity_rejected, "list": "; ".join(details)}, "bom_shortfall",
            reasons=[{"code": "bom_shortfall", "detail": d} for d in details],
            shortfalls=[{"material": s["material"].pk, "material_code": s["material"].code,
                         "required": str(s["required"].normalize()), "consumed": str(s["consumed"].normalize()),
                         "short": str(s["short"].normalize())} for s in short])
    batch.quantity_made = quantity_made
    batch.quantity_rejected = quantity_rejected
    batch.status = Batch.Status.AWAITING_QC
    batch.completed_at = _moment(at)
    if batch.started_at and batch.completed_at < batch.started_at:
        raise ValidationError({"at": [_("A batch cannot complete before it started.")]})
    batch.save()
    reasons = {r.pk: r for r, _q in rejects}
    bulk_create_tracked(BatchReject, [BatchReject(batch=batch, reason=reasons[pk], quantity=q)
                                      for pk, q in totals.items()])
    return batch


# --- Verbs other apps call: production writes its own batch ------------------------------------------------

@service
def apply_disposition(batch, *, status: str, quantity_released: int = 0, user, reason: str = ""):
    """Set the outcome of QA's disposition on the batch (qc decides and signs; production writes its row):
    ``status`` one of released, rejected, quarantined, with the quantity released (0 unless released)."""
    batch = _lock(batch)
    if status not in Batch.DISPOSED:
        raise ValidationError({"status": [_("A disposition releases, rejects or quarantines.")]})
    quantity_released = int(quantity_released or 0)
    if not 0 <= quantity_released <= batch.quantity_made:
        raise ValidationError({"quantity_released": [
            _("The released quantity must be between 0 and the quantity made (%(n)s).") % {"n": batch.quantity_made}]})
    batch.status = status
    batch.quantity_released = quantity_released
    batch.save()
    return batch


@service
def add_shipped_quantity(batch, quantity: int, *, user, reason: str = ""):
    """Count ``quantity`` more kits of the batch as shipped (regulatory's shipment; never beyond released)."""
    batch = _lock(batch)
    quantity = int(quantity)
    if quantity < 1:
        raise ValidationError({"quantity": [_("Ship at least one kit.")]})
    if batch.quantity_shipped + quantity > batch.quantity_released:
        raise DomainError(_("Only %(available)s kits of lot %(lot)s are released and not yet shipped; %(quantity)s "
                            "requested.") % {"available": batch.quantity_released - batch.quantity_shipped,
                                             "lot": batch.lot_number, "quantity": quantity},
                          "insufficient_quantity", available=batch.quantity_released - batch.quantity_shipped)
    batch.quantity_shipped += quantity
    batch.save()
    return batch


@service
def cap_expiry(batch, on: date, *, user, reason: str = ""):
    """Shorten the batch's expiry to ``on`` when that is earlier (a kit never outlives a component lot in it,
    DOMAIN.md §8); the reason names the cause in the batch's history. Returns True when the expiry changed."""
    batch = _lock(batch)
    if on >= batch.expiry_date:
        return False
    batch.expiry_date = on
    batch.save()
    return True


# --- Pick list: the whole BOM in one go (issue 19 point 2) -------------------------------------------------

def bom_short_for(batch, material, kits: int | None = None) -> Decimal:
    """What is still missing of ``material`` for ``kits`` kits (default: the planned quantity) by the BOM rule."""
    kits = batch.planned_quantity if kits is None else kits
    for row in bom_rows(batch, kits):
        if row["material"].pk == material.pk:
            return row["short"]
    return Decimal("0")


@service
def consume_pick_list(batch, rows, *, user, reason: str = "", accept_shorter_expiry: bool = True,
                      at: datetime | None = None):
    """Consume a batch's BOM in one go: ``rows`` are ``{"material", "material_lot", "scan", "quantity"}`` (a lot
    chosen or the text a scanner read from its label, and the quantity). Every row is checked, each by the rules of
    ``consume_material`` (which records it) and a scan by ``production.scanning.resolve_material_lot`` against the
    row's material; a row without lot, scan and quantity is skipped. All or nothing: when any row is refused,
    nothing is recorded and the ValidationError names each row's field (``rows.<n>.scan``, ``rows.<n>.material_lot``,
    ``rows.<n>.quantity``) with its reason (DESIGN.md, Bad input). ``accept_shorter_expiry=False`` refuses a lot
    that would shorten the batch's expiry (the page asks first). Returns the consumptions."""
    from production.scanning import LotScanRefused, resolve_material_lot

    errors: dict[str, list] = {}
    done = []
    moment = _moment(at)
    batch = _lock(batch)
    _require_status(batch, Batch.Status.IN_PRODUCTION, action=_("Consuming material"))
    for index, row in enumerate(rows):
        material, lot = row.get("material"), row.get("material_lot")
        scan, quantity = (row.get("scan") or "").strip(), row.get("quantity")
        if lot is None and not scan and not quantity:
            continue
        key = f"rows.{index}"
        if scan:
            try:
                lot = resolve_material_lot(scan, material=material, on=timezone.localdate(moment), usable=False)
            except LotScanRefused as refused:
                errors[f"{key}.scan"] = [refused.message]
                continue
        if lot is None:
            errors[f"{key}.material_lot"] = [_("Scan or choose a lot of %(material)s.") % {"material": material}]
            continue
        if material is not None and lot.material_id != material.pk:
            errors[f"{key}.material_lot"] = [_("Lot %(lot)s is %(found)s, not %(material)s.") % {
                "lot": lot, "found": lot.material, "material": material}]
            continue
        if not quantity:
            errors[f"{key}.quantity"] = [_("Enter the quantity of %(material)s used.") % {"material": lot.material}]
            continue
        field = f"{key}.scan" if scan else f"{key}.material_lot"
        if not accept_shorter_expiry and shortens_expiry(batch, lot):
            errors[field] = [_("Lot %(lot)s expires on %(lot_expiry)s, before the batch (%(expiry)s): confirm that "
                               "it shortens the batch's expiry.") % {
                "lot": lot, "lot_expiry": lot.expiry_date.isoformat(), "expiry": batch.expiry_date.isoformat()}]
            continue
        try:
            done.append(consume_material(batch, material_lot=lot, quantity=quantity, user=user, reason=reason,
                                         at=moment))
        except DomainError as exc:
            errors[field if exc.code != "insufficient_quantity" else f"{key}.quantity"] = [
                r["detail"] for r in exc.reasons] or [exc.message]
        except ValidationError as exc:
            errors[f"{key}.quantity"] = exc.messages
        batch.refresh_from_db(fields=["expiry_date"])
    if errors:
        raise ValidationError(errors)
    if not done:
        raise ValidationError({"rows": [_("Nothing to consume: scan or choose a lot and a quantity on a row.")]})
    return done
