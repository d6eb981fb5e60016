"""Every change of the lab's records (STYLE.md §1). A sample goes ``received → in_testing → reported``, or is
``rejected`` as unfit (with the reason) before it is reported (DESIGN.md, Lab sample / test).

Intake is all-or-nothing: ``receive_samples`` checks every row first and, when any row is bad, raises one
ValidationError naming every bad row (``"<index>.<field>"``) and creates nothing.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lab import rollup
from lab.models import Assay, Sample, code_validator
from lims.audit import bulk_create_tracked, service
from lims.errors import DomainError
from lims.permissions import require
from lims.services import check_version, require_reason
from lims.signatures import SigningAction, sign

# A clock a little ahead of ours (an analyser, a hospital system) is not an error; a time further ahead is.
CLOCK_TOLERANCE = timedelta(minutes=5)
BARCODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base 32: no I, L, O, U to misread
RESULT_FIELDS = ("result", "result_value", "result_unit", "outcome", "control_line")


def new_barcode(received_at) -> str:
    """``S`` + the local receipt date (YYMMDD) + 6 random base-32 characters: readable, sortable by day, and
    unique without a counter (32⁶ ≈ 10⁹ per day), so concurrent intakes never race for a number."""
    day = timezone.localtime(received_at).strftime("%y%m%d")
    return "S" + day + "".join(secrets.choice(BARCODE_ALPHABET) for _i in range(6))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_result(assay, values: dict) -> tuple[dict, dict[str, list[str]]]:
    """The result fields normalised for the assay's result type, and every problem as ``{field: [message]}``.

    * qualitative: ``outcome`` positive / negative / invalid and ``control_line`` read (True/False); without the
      control line the strip is invalid, so only "invalid" may be recorded; no numeric value.
    * quantitative: ``result_value`` required, in the assay's unit (an empty unit takes it); no outcome.
    * descriptive: the result text (or a value) required; no outcome.
    """
    v = {f: values.get(f) for f in RESULT_FIELDS}
    v["result"] = (v["result"] or "").strip()
    v["result_unit"] = (v["result_unit"] or "").strip()
    v["outcome"] = (v["outcome"] or "").strip().lower()
    errors: dict[str, list[str]] = {}

    def bad(field, message):
        errors.setdefault(field, []).append(str(message))

    kind = assay.result_type
    if v["outcome"] and v["outcome"] not in Sample.Outcome.values:
        bad("outcome", _("“%(value)s” is not an outcome: enter positive, negative or invalid.")
            % {"value": values.get("outcome")})
    elif kind == Assay.ResultType.QUALITATIVE:
        if not v["outcome"]:
            bad("outcome", _("%(assay)s is a qualitative assay: enter positive, negative or invalid.")
                % {"assay": assay.code})
        if v["control_line"] is None:
            bad("control_line", _("Say whether the control line appeared."))
        elif v["control_line"] is False and v["outcome"] and v["outcome"] != Sample.Outcome.INVALID:
            bad("outcome", _("Without the control line the test is invalid: record “invalid”, not “%(value)s”.")
                % {"value": Sample.Outcome(v["outcome"]).label})
        if v["result_value"] is not None:
            bad("result_value", _("A qualitative assay has no numeric value."))
    elif v["outcome"] or v["control_line"] is not None:
        field = "outcome" if v["outcome"] else "control_line"
        bad(field, _("Only a qualitative assay records an outcome and the control line; %(assay)s is %(type)s.")
            % {"assay": assay.code, "type": assay.get_result_type_display()})
    if kind == Assay.ResultType.QUANTITATIVE:
        if v["result_value"] is None:
            bad("result_value", _("%(assay)s is a quantitative assay: enter the value in %(unit)s.")
                % {"assay": assay.code, "unit": assay.unit})
        if not v["result_unit"]:
            v["result_unit"] = assay.unit
        elif v["result_unit"] != assay.unit:
            bad("result_unit", _("%(assay)s reports in %(unit)s, not in %(given)s.")
                % {"assay": assay.code, "unit": assay.unit, "given": v["result_unit"]})
    elif kind == Assay.ResultType.DESCRIPTIVE and not v["result"] and v["result_value"] is None:
        bad("result", _("Enter the result (text or value)."))
    return v, errors


def check_sample_rows(rows: list[dict], *, now=None) -> dict[str, list[str]]:
    """Every problem of every row, as ``{"<index>.<field>": [message]}`` (empty when all rows are good).

    Each row is a dict of client, assay (objects), barcode, received_at, reported_at (aware datetimes or None),
    result, result_value, result_unit. Rules: client and assay present and active; barcode well formed and
    unique (within the list and in the lab); received_at and reported_at not in the future; reported_at not
    before received_at.
    """
    now = now or timezone.now()
    latest = now + CLOCK_TOLERANCE
    errors: dict[str, list[str]] = {}

    def bad(index, field, message):
        errors.setdefault(f"{index}.{field}", []).append(str(message))

    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        for field in ("client", "assay"):
            obj = row.get(field)
            if obj is None:
                bad(index, field, _("This field is required."))
            elif not obj.active:
                bad(index, field, _("%(obj)s is inactive.") % {"obj": obj})
        barcode = (row.get("barcode") or "").strip()
        if barcode:
            try:
                code_validator(barcode)
                if len(barcode) > 32:
                    raise ValidationError(_("At most 32 characters."))
            except ValidationError as exc:
                bad(index, "barcode", exc.messages[0])
            else:
                if barcode in seen:
                    bad(index, "barcode", _("Barcode %(code)s appears twice in this intake (also at %(other)s).")
                        % {"code": barcode, "other": seen[barcode]})
                else:
                    seen[barcode] = index
        assay = row.get("assay")
        given = any(not _blank(row.get(f)) for f in RESULT_FIELDS)
        # A back-entry of a descriptive test may carry its times only; a typed result is always checked.
        if assay is not None and (given or row.get("reported_at") is not None
                                  and assay.result_type != assay.ResultType.DESCRIPTIVE):
            values, problems = check_result(assay, row)
            row.update(values)
            for field, messages in problems.items():
                for message in messages:
                    bad(index, field, message)
        received, reported = row.get("received_at"), row.get("reported_at")
        if received is not None and received > latest:
            bad(index, "received_at", _("The receipt time is in the future."))
        if reported is not None:
            if reported > latest:
                bad(index, "reported_at", _("The report time is in the future."))
            if received is not None and reported < received:
                bad(index, "reported_at", _("The report time is before the receipt time."))
    taken = set(Sample.objects.filter(barcode__in=list(seen)).values_list("barcode", flat=True)) if seen else set()
    for code in sorted(taken):
        bad(seen[code], "barcode", _("A sample with barcode %(code)s already exists.") % {"code": code})
    return dict(sorted(errors.items(), key=lambda item: (int(item[0].split(".")[0]), item[0])))


def _unique_barcodes(rows) -> list[str]:
    given = [(r.get("barcode") or "").strip() for r in rows]
    result = list(given)
    missing = [i for i, b in enumerate(given) if not b]
    used = {b for b in given if b}
    while missing:
        for i in missing:
            result[i] = new_barcode(rows[i]["received_at"])
        fresh = [result[i] for i in missing]
        clash = set(Sample.objects.filter(barcode__in=fresh).values_list("barcode", flat=True))
        retry = []
        for i in missing:
            if result[i] in clash or result[i] in used:
                retry.append(i)
            else:
                used.add(result[i])
        missing = retry
    return result


@service
def receive_samples(rows: list[dict], *, user, reason: str = "") -> list[Sample]:
    """Receive a list of samples at once, all or nothing.

    A row without ``received_at`` is received now; without ``barcode`` it gets a new one (``new_barcode``).
    A row with a ``reported_at`` (back-entry of a finished test) is created reported; a row with a result but
    no report time is reported now. Any bad row → ValidationError with every bad row, nothing created.
    """
    now = timezone.now()
    rows = [dict(r) for r in rows]
    for row in rows:
        row["received_at"] = row.get("received_at") or now
        if row.get("reported_at") is None and any(not _blank(row.get(f)) for f in RESULT_FIELDS):
            row["reported_at"] = max(now, row["received_at"])
    errors = check_sample_rows(rows, now=now)
    if errors:
        raise ValidationError(errors)
    barcodes = _unique_barcodes(rows)
    objs = []
    for row, barcode in zip(rows, barcodes, strict=True):
        reported = row.get("reported_at")
        obj = Sample(
            barcode=barcode, client=row["client"], assay=row["assay"], received_at=row["received_at"],
            reported_at=reported, status=Sample.Status.REPORTED if reported else Sample.Status.RECEIVED,
            result=row.get("result") or "", result_value=row.get("result_value"),
            result_unit=row.get("result_unit") or "", outcome=row.get("outcome") or "",
            control_line=row.get("control_line"), reported_by=user if reported else None,
        )
        objs.append(obj)
    created = bulk_create_tracked(Sample, objs)
    rollup.apply([None] * len(created), [rollup.state(o) for o in created])
    return created


def _locked(sample) -> Sample:
    return Sample.objects.select_for_update().get(pk=sample.pk)


def _refuse_unless(sample, allowed, action):
    if sample.status not in allowed:
        raise DomainError(
            _("Sample %(barcode)s is %(status)s: it cannot be %(action)s.") % {
                "barcode": sample.barcode, "status": sample.get_status_display(), "action": action},
            "invalid_state")


def _check_time(value, field, *, not_before=None, label_before=""):
    if value > timezone.now() + CLOCK_TOLERANCE:
        raise ValidationError({field: [_("The time is in the future.")]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [_("The time is before %(what)s.") % {"what": label_before}]})


@service
def start_testing(sample, *, user, reason: str = "", started_at=None) -> Sample:
    """received → in_testing."""
    sample = _locked(sample)
    _refuse_unless(sample, (Sample.Status.RECEIVED,), _("started"))
    started_at = started_at or timezone.now()
    _check_time(started_at, "started_at", not_before=sample.received_at, label_before=_("the receipt time"))
    sample.status = Sample.Status.IN_TESTING
    sample.started_at = started_at
    sample.save()
    return sample


@service
def report_result(sample, *, user, reason: str = "", result: str = "", result_value=None, result_unit: str = "",
                  outcome: str = "", control_line=None, reported_at=None) -> Sample:
    """received | in_testing → reported, with a result of the assay's result type (``check_result``). The report
    time fixes the turnaround time: it may not precede receipt or the start of testing, nor lie in the future.
    The person reporting is recorded: another person reviews the result (``review_result``)."""
    sample = _locked(sample)
    _refuse_unless(sample, Sample.OPEN, _("reported"))
    values, errors = check_result(sample.assay, {"result": result, "result_value": result_value,
                                                 "result_unit": result_unit, "outcome": outcome,
                                                 "control_line": control_line})
    if errors:
        raise ValidationError(errors)
    reported_at = reported_at or timezone.now()
    floor = sample.started_at or sample.received_at
    _check_time(reported_at, "reported_at", not_before=floor,
                label_before=_("the start of testing") if sample.started_at else _("the receipt time"))
    before = rollup.state(sample)
    sample.status = Sample.Status.REPORTED
    sample.reported_at = reported_at
    for field, value in values.items():
        setattr(sample, field, value)
    sample.reported_by = user
    sample.save()
    rollup.apply([before], [rollup.state(sample)])
    return sample


@service
def reject_sample(sample, *, user, reason: str = "", rejected_at=None) -> Sample:
    """received | in_testing → rejected: the sample is unfit (haemolysed, leaking, wrong tube, unlabelled …).
    The reason is required; it is kept on the sample and in its history. The rejection time (default now) ends
    the sample's time in the backlog, so it may not precede receipt nor lie in the future."""
    sample = _locked(sample)
    if _blank(reason):
        raise ValidationError({"reason": [_("Say why the sample is unfit.")]})
    _refuse_unless(sample, Sample.OPEN, _("rejected"))
    rejected_at = rejected_at or timezone.now()
    _check_time(rejected_at, "rejected_at", not_before=sample.received_at, label_before=_("the receipt time"))
    before = rollup.state(sample)
    sample.status = Sample.Status.REJECTED
    sample.rejected_at = rejected_at
    sample.rejection_reason = reason
    sample.save()
    rollup.apply([before], [rollup.state(sample)])
    return sample


CORRECTABLE = {"barcode", "client", "assay", "received_at", "reported_at", *RESULT_FIELDS}


@service
def correct_sample(sample, changes: dict, *, user, reason: str = "", expected_version=None) -> Sample:
    """Correct what was entered wrongly (barcode, client, assay, times, result), with a reason like every
    correction (Annex 11 §9). Giving an open sample a result or report time reports it (report_result)."""
    reason = require_reason(reason)
    locked = _locked(sample)
    check_version(locked.version, expected_version)
    unknown = set(changes) - CORRECTABLE
    if unknown:
        raise ValidationError({f: [_("This field cannot be set here.")] for f in sorted(unknown)})
    changes = dict(changes)
    before = rollup.state(locked)
    reporting = {k: changes.pop(k) for k in ("reported_at", *RESULT_FIELDS) if k in changes}
    for field, value in changes.items():
        setattr(locked, field, value)
    result_changed = any(k in reporting and reporting[k] != getattr(locked, k)
                         for k in ("reported_at", *RESULT_FIELDS)) or "assay" in changes
    if locked.status in Sample.OPEN:
        if reporting:
            locked.full_clean()
            locked.save()
            rollup.apply([before], [rollup.state(locked)])
            return report_result(locked, user=user, reason=reason, **reporting)
    else:
        for field, value in reporting.items():
            setattr(locked, field, value)
        if locked.status == Sample.Status.REPORTED and locked.reported_at is None:
            raise ValidationError({"reported_at": [_("A reported sample keeps its report time.")]})
        if locked.status == Sample.Status.REPORTED:
            values, errors = check_result(locked.assay, {f: getattr(locked, f) for f in RESULT_FIELDS})
            if errors:
                raise ValidationError(errors)
            for field, value in values.items():
                setattr(locked, field, value)
            if result_changed and locked.reviewed_by_id:
                locked.reviewed_by, locked.reviewed_at = None, None  # a corrected result is reviewed again
    _check_time(locked.received_at, "received_at")
    if locked.reported_at is not None:
        _check_time(locked.reported_at, "reported_at", not_before=locked.received_at,
                    label_before=_("the receipt time"))
    locked.full_clean()
    locked.save()
    rollup.apply([before], [rollup.state(locked)])
    return locked


def _not_the_analyst(user, sample):
    if sample.reported_by_id is not None and sample.reported_by_id == user.pk:
        return _("You entered this result; another person must review it.")
    return None


REVIEW_RESULT = SigningAction("lab.review_result", ("reviewed",), may_sign=_not_the_analyst,
                              permission="lab.review_sample")


@service(signs=REVIEW_RESULT)
def review_result(sample, *, username: str, password: str, meaning: str = "", user, reason: str = "") -> Sample:
    """The second person's check of a reported result before the client report goes out (EU GMP Annex 11 §6,
    ISO 15189 7.4.1), signed "reviewed". The reviewer is not the person who entered the result (``four_eyes``);
    a corrected result needs a new review."""
    require(user, "lab.review_sample")
    sample = _locked(sample)
    if sample.status != Sample.Status.REPORTED:
        raise DomainError(_("Only a reported result can be reviewed; sample %(barcode)s is %(status)s.")
                          % {"barcode": sample.barcode, "status": sample.get_status_display()}, "invalid_state")
    if sample.reviewed_by_id:
        raise DomainError(_("The result of %(barcode)s was already reviewed.") % {"barcode": sample.barcode},
                          "already_reviewed")
    why = _not_the_analyst(user, sample)
    if why:
        raise DomainError(why, "four_eyes")
    sample.reviewed_by, sample.reviewed_at = user, timezone.now()
    sample.save()
    sign(sample, user=user, meaning=meaning, reason=reason)
    return sample
