"""The switching rules of ISO 2859-1:1999 clause 9 (Figure 1), per product and AQL specification
(DOMAIN.md §5):

- start at **normal**;
- normal → **tightened** when 2 of 5 or fewer consecutive lots are not accepted (original inspection only);
- tightened → normal after 5 consecutive lots accepted;
- normal → **reduced** when the switching score has reached 30, production is steady and the responsible
  authority agrees: QA's signed decision (``decide_reduced``). The score starts at 0 at the start of normal
  inspection; for a plan with Ac ≥ 2 a lot adds 3 when it would also have been accepted at the AQL one step
  tighter, else the score returns to 0; with Ac 0 or 1 an accepted lot adds 2, a lot not accepted returns it to 0;
- reduced → normal when a lot is not accepted (or QA reinstates normal: irregular production, other conditions);
- **discontinued** when 5 lots in all are not accepted while on tightened: no inspection of that specification
  until a signed corrective action (``resume_after_corrective_action``), which resumes at tightened.

A lot is counted when its inspection is approved (``count_lots``, called by ``approve_inspection``): the approved
result of an AQL specification, judged with the inspection's plan, is that lot's original inspection. A lot
already counted for the specification (a resubmission) is not counted again. Every move is a ``SwitchingMove``
listing the lots that caused it, and the state's history row carries the same explanation as its reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from lims.audit import audited, service
from lims.errors import DomainError
from lims.permissions import require
from lims.signatures import SigningAction, sign
from qc.models import Severity, Specification, SwitchingLot, SwitchingMove, SwitchingState
from qc.sampling import AQL_VALUES, master_table_cell, normalise_aql, plan_for_letter

SCORE_FOR_REDUCED = 30
NOT_ACCEPTED_TO_DISCONTINUE = 5
ACCEPTED_TO_LEAVE_TIGHTENED = 5
WINDOW = 5

def _specs_of(results) -> list[Specification]:
    ids, specs = [], []
    for row in results or ():
        spec = row.get("specification") if isinstance(row, dict) else None
        if isinstance(spec, Specification):
            specs.append(spec)
        elif spec not in (None, ""):
            ids.append(spec)
    if ids:
        specs.extend(Specification.objects.filter(pk__in=[i for i in ids if str(i).isdigit()]))
    return specs


def severity_for_results(results) -> str:
    """The severity of the plan for an inspection with these results: the strictest state among its AQL
    specifications (normal when none has been switched). Refused (409 ``inspection_discontinued``) while any
    of them is discontinued."""
    specs = {s.pk: s for s in _specs_of(results) if s.aql}
    states = list(SwitchingState.objects.filter(specification__in=list(specs)).select_related("specification"))
    stopped = [s for s in states if s.state == Severity.DISCONTINUED]
    if stopped:
        codes = ", ".join(s.specification.code for s in stopped)
        raise DomainError(
            _("Inspection under ISO 2859-1 is discontinued for %(specs)s: five lots were not accepted on "
              "tightened inspection. A signed corrective action must resume it.") % {"specs": codes},
            "inspection_discontinued",
            reasons=[{"code": "inspection_discontinued", "detail": _("Discontinued: %(spec)s.") % {
                "spec": s.specification.code}} for s in stopped])
    found = {s.state for s in states}
    if Severity.TIGHTENED in found:
        return Severity.TIGHTENED
    if specs and len(states) == len(specs) and found == {Severity.REDUCED}:
        return Severity.REDUCED
    return Severity.NORMAL


def state_of(spec) -> SwitchingState | None:
    return SwitchingState.objects.filter(specification=spec).first()


def _get_state(spec) -> SwitchingState:
    """The locked switching state of ``spec`` (created at normal on first use, inside the calling service)."""
    state = SwitchingState.objects.select_for_update().filter(specification=spec).first()
    if state is None:
        state = SwitchingState.objects.create(product_id=spec.product_id, specification=spec)
        state = SwitchingState.objects.select_for_update().get(pk=state.pk)
    return state


def accepted_one_step_tighter(inspection, nonconforming: int) -> bool:
    """Would the lot have been accepted with the AQL one step tighter (the next smaller column of Table 2-A, in
    the row of the plan used)? For Ac ≥ 2 that cell is a plan of the same sample size."""
    label = normalise_aql(inspection.aql)
    index = AQL_VALUES.index(label)
    if index == 0:
        return False
    tighter = AQL_VALUES[index - 1]
    from qc.sampling import code_letter

    letter = inspection.code_letter or code_letter(inspection.lot_size, inspection.level or "II")
    plan_letter = plan_for_letter(letter, label)[0]
    cell = master_table_cell(plan_letter, tighter)
    accept = cell[0] if isinstance(cell, tuple) else plan_for_letter(letter, tighter)[2]
    return nonconforming <= accept


def _move(state, to_state, rule, lots, *, user, note="", decided_by=None):
    before = state.state
    text = _("%(from)s → %(to)s: %(rule)s") % {
        "from": Severity(before).label, "to": Severity(to_state).label, "rule": SwitchingMove.Rule(rule).label}
    if lots:
        text += " (" + ", ".join(lots) + ")"
    state.state = to_state
    state.score = 0
    state.lots_in_state = 0
    state.consecutive_accepted = 0
    state.not_accepted_in_tightened = 0
    state.recent = []
    with audited(user=user, reason=text):
        state.save()
        return SwitchingMove.objects.create(switching=state, from_state=before, to_state=to_state, rule=rule,
                                            lots=list(lots), decided_by=decided_by, note=note)


def _last_lots(state, n) -> list[str]:
    rows = state.lots.order_by("-counted_at", "-pk").values_list("lot_number", flat=True)[:n]
    return list(rows)[::-1]


def _count(state, inspection, lot_number, accepted, nonconforming, *, user):
    """Apply one lot to ``state`` (locked); returns the SwitchingLot."""
    severity = state.state
    state.lots_in_state += 1
    move = None
    if severity == Severity.NORMAL:
        recent = [*state.recent, {"lot": lot_number, "accepted": accepted}][-WINDOW:]
        not_accepted = [r["lot"] for r in recent if not r["accepted"]]
        if inspection.accept is not None and inspection.accept >= 2:
            state.score = state.score + 3 if accepted and accepted_one_step_tighter(inspection, nonconforming) else 0
        else:
            state.score = state.score + 2 if accepted else 0
        state.recent = recent
        if not accepted and len(not_accepted) >= 2:
            move = (Severity.TIGHTENED, SwitchingMove.Rule.TWO_OF_FIVE, not_accepted)
    elif severity == Severity.TIGHTENED:
        if accepted:
            state.consecutive_accepted += 1
            if state.consecutive_accepted >= ACCEPTED_TO_LEAVE_TIGHTENED:
                lots = _last_lots(state, ACCEPTED_TO_LEAVE_TIGHTENED - 1) + [lot_number]
                move = (Severity.NORMAL, SwitchingMove.Rule.FIVE_ACCEPTED, lots)
        else:
            state.consecutive_accepted = 0
            state.not_accepted_in_tightened += 1
            if state.not_accepted_in_tightened >= NOT_ACCEPTED_TO_DISCONTINUE:
                lots = [x.lot_number for x in state.lots.filter(severity=Severity.TIGHTENED, accepted=False)
                        .order_by("-counted_at", "-pk")[:NOT_ACCEPTED_TO_DISCONTINUE - 1]][::-1] + [lot_number]
                move = (Severity.DISCONTINUED, SwitchingMove.Rule.FIVE_NOT_ACCEPTED, lots)
    elif severity == Severity.REDUCED and not accepted:
        move = (Severity.NORMAL, SwitchingMove.Rule.NOT_ACCEPTED_ON_REDUCED, [lot_number])
    score_after = state.score
    if move:
        _move(state, *move, user=user)
        score_after = state.score
    else:
        state.save()
    return SwitchingLot.objects.create(
        switching=state, inspection=inspection, lot_number=lot_number, severity=severity,
        sample_size=inspection.sample_size, accept=inspection.accept or 0, nonconforming=nonconforming,
        accepted=accepted, score_after=score_after, state_after=state.state)


def count_lots(inspection, *, user) -> list[SwitchingLot]:
    """Count an approved inspection's AQL results for the switching rules of their specifications. Call it
    inside the approving service's transaction."""
    if inspection.accept is None or not inspection.aql or inspection.batch_id is None:
        return []
    lot_number = inspection.batch.lot_number
    counted = []
    for result in inspection.results.select_related("specification").filter(specification__aql__gt=""):
        state = _get_state(result.specification)
        if state.lots.filter(lot_number=lot_number).exists():
            continue  # a resubmitted lot: only the original inspection counts (clause 9.2)
        nonconforming = result.defects or 0
        accepted = result.outcome == "pass"
        counted.append(_count(state, inspection, lot_number, accepted, nonconforming, user=user))
    return counted


#: QA's decision to start reduced inspection (ISO 2859-1:1999 9.3.3 c: the responsible authority agrees).
DECIDE_REDUCED = SigningAction("qc.decide_reduced_inspection", ("approved",), permission="qc.decide_switching")
#: QA's signature on the corrective action that lets a discontinued inspection resume (9.4).
RESUME_AFTER_CORRECTIVE_ACTION = SigningAction("qc.resume_after_corrective_action", ("approved",),
                                               permission="qc.decide_switching")


def _lock(state) -> SwitchingState:
    return SwitchingState.objects.select_for_update().select_related("specification").get(pk=state.pk)


@service(signs=DECIDE_REDUCED)
def decide_reduced(state, *, username: str, password: str, meaning: str = "", production_steady: bool = False,
                   user, reason: str = ""):
    """normal → reduced, signed by QA (the responsible authority), once the switching score has reached 30 and
    production is steady (ISO 2859-1:1999 9.3.3)."""
    require(user, "qc.decide_switching")
    state = _lock(state)
    if state.state != Severity.NORMAL or state.score < SCORE_FOR_REDUCED:
        raise DomainError(
            _("Reduced inspection needs normal inspection with a switching score of at least %(limit)s; "
              "%(spec)s is %(state)s with a score of %(score)s.") % {
                "limit": SCORE_FOR_REDUCED, "spec": state.specification.code,
                "state": state.get_state_display(), "score": state.score}, "reduced_not_eligible")
    if not production_steady:
        raise ValidationError({"production_steady": [
            _("Reduced inspection needs steady production: confirm it, or stay on normal inspection.")]})
    lots = [x.lot_number for x in state.lots.filter(severity=Severity.NORMAL, score_after__gt=0)
            .order_by("-counted_at", "-pk")[:20]][::-1]
    _move(state, Severity.REDUCED, SwitchingMove.Rule.SCORE_DECISION, lots, user=user, decided_by=user,
          note=reason)
    sign(state, user=user, meaning=meaning, reason=reason)
    return state


@service(signs=RESUME_AFTER_CORRECTIVE_ACTION)
def resume_after_corrective_action(state, *, username: str, password: str, meaning: str = "",
                                   corrective_action: str = "", user, reason: str = ""):
    """discontinued → tightened after a corrective action, signed by QA (ISO 2859-1:1999 9.4)."""
    require(user, "qc.decide_switching")
    state = _lock(state)
    if state.state != Severity.DISCONTINUED:
        raise DomainError(_("Only a discontinued inspection can be resumed; %(spec)s is %(state)s.") % {
            "spec": state.specification.code, "state": state.get_state_display()}, "invalid_state")
    if not (corrective_action or "").strip():
        raise ValidationError({"corrective_action": [_("Describe the corrective action taken.")]})
    _move(state, Severity.TIGHTENED, SwitchingMove.Rule.CORRECTIVE_ACTION, [], user=user, decided_by=user,
          note=corrective_action.strip())
    sign(state, user=user, meaning=meaning, reason=reason or corrective_action.strip())
    return state


@service
def reinstate_normal(state, *, user, reason: str = ""):
    """reduced → normal on QA's word: production irregular or delayed, or other conditions (9.3.4 b, c)."""
    require(user, "qc.decide_switching")
    state = _lock(state)
    if state.state != Severity.REDUCED:
        raise DomainError(_("Only reduced inspection can be returned to normal this way."), "invalid_state")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why normal inspection is reinstated.")]})
    _move(state, Severity.NORMAL, SwitchingMove.Rule.REINSTATED, [], user=user, decided_by=user, note=reason)
    return state


def history_rows(state):
    """The lots and moves of ``state`` in time order, for its page."""
    rows = [("lot", lot.counted_at, lot) for lot in state.lots.all()]
    rows += [("move", move.moved_at, move) for move in state.moves.select_related("decided_by")]
    return sorted(rows, key=lambda r: (r[1] or timezone.now(), r[0] == "lot"))
