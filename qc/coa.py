"""The certificate of analysis of a released batch (DOMAIN.md §3, §6): a conclusion statement (meets its release
specification, released for distribution — or why not), every valid release result with its specification (a
retest names the result it retests), the sampling plan, the superseded (invalidated) results in a separate marked
section with who invalidated them and why, the deviations, the disposition and every signature with its printed
name and meaning, a note when a record changed after it was signed (Annex 11 §8.2); local times with the zone."""

from itertools import chain

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from lims.pdf import RecordPdf, Section, local
from lims.signatures import printed_name, signature_rows
from qc.models import Disposition, Inspection, InspectionResult, Stage


def _final_rows(obj):
    """The signatures of ``obj``; each is marked "changed after signature" when the record changed after its
    last sign-off (a review followed by an approval is the life cycle, not a change of the signed data)."""
    rows = signature_rows(obj)
    if rows:
        latest = obj.history.order_by("-history_id").values_list("history_id", flat=True).first()
        last_signed = max(s.history_id for s in rows)
        for s in rows:
            s.changed_after = latest is not None and latest > last_signed
    return rows


def conclusion(batch, inspections, dispositions) -> str:
    """The certificate's statement: what the valid results show and what QA decided (DOMAIN.md §6)."""
    results = [r for i in inspections for r in i.results.all()]
    meets = bool(results) and all(r.outcome == InspectionResult.Outcome.PASS for r in results)
    release = next((d for d in reversed(dispositions) if d.decision == Disposition.Decision.RELEASE), None)
    if meets and release is not None and batch.status == batch.Status.RELEASED:
        return _("Conclusion: lot %(lot)s meets its release specification (%(n)s valid results, all passing) and "
                 "was released for distribution by %(who)s on %(when)s.") % {
            "lot": batch.lot_number, "n": len(results), "who": printed_name(release.decided_by),
            "when": local(release.decided_at)}
    if not meets:
        return _("Conclusion: lot %(lot)s does not show valid passing results for every release test; it is not "
                 "released for distribution.") % {"lot": batch.lot_number}
    return _("Conclusion: lot %(lot)s meets its release specification but is not released for distribution "
             "(status: %(status)s).") % {"lot": batch.lot_number, "status": batch.get_status_display()}


def coa_pdf(batch, user) -> bytes:
    inspections = list(Inspection.objects.filter(batch=batch, stage=Stage.RELEASE,
                                                 status=Inspection.Status.APPROVED)
                       .select_related("recorded_by", "reviewed_by", "approved_by")
                       .prefetch_related("results__specification", "results__retest_of__inspection")
                       .order_by("approved_at", "pk"))
    superseded = list(Inspection.objects.filter(batch=batch, stage=Stage.RELEASE,
                                                status=Inspection.Status.INVALIDATED)
                      .select_related("invalidated_by", "invalidating_deviation")
                      .prefetch_related("results__specification").order_by("invalidated_at", "pk"))
    dispositions = list(batch.dispositions.select_related("decided_by").order_by("decided_at", "pk"))
    deviations = list(batch.deviations.order_by("pk"))
    product = batch.product
    facts = [
        (_("Product"), f"{product.code} {product.name}"),
        (_("GTIN"), product.gtin),
        (_("Lot number"), batch.lot_number),
        (_("Manufactured on"), batch.manufactured_on.isoformat()),
        (_("Expiry date"), batch.expiry_date.isoformat()),
        (_("Quantity made"), batch.quantity_made),
        (_("Quantity released"), batch.quantity_released),
        (_("Status"), batch.get_status_display()),
    ]
    results = [[_("Test"), _("Specification"), _("Method"), _("Result"), _("Outcome"), _("Inspection")]]
    plans = [[_("Inspection"), _("Lot size"), _("AQL"), _("Level"), _("Code letter"), _("Sample size"), _("Ac/Re")]]
    people = [[_("Inspection"), _("Recorded by"), _("Reviewed by"), _("Approved by")]]
    for inspection in inspections:
        for r in inspection.results.all():
            spec = r.specification
            retest = (_("retest of %(result)s (inspection %(id)s)") % {"result": r.retest_of.display_value,
                                                                      "id": r.retest_of.inspection_id}
                      if r.retest_of_id else "")
            results.append([f"{spec.code} {spec.name}", spec.limits_display, spec.method,
                            f"{r.display_value} — {retest}" if retest else r.display_value,
                            r.get_outcome_display(), str(inspection.pk)])
        plans.append([str(inspection.pk), inspection.lot_size or "—", inspection.aql or "—", inspection.level or "—",
                      inspection.code_letter or "—", inspection.sample_size,
                      f"{inspection.accept}/{inspection.reject}" if inspection.accept is not None else "—"])
        people.append([str(inspection.pk)] + [
            printed_name(u) if u else "—" for u in (inspection.recorded_by, inspection.reviewed_by,
                                                   inspection.approved_by)])
    superseded_rows = [[_("Inspection"), _("Test"), _("Result"), _("Outcome"), _("Invalidated by"),
                        _("Reason and deviation")]]
    for inspection in superseded:
        why = f"{inspection.invalidation_reason} ({inspection.invalidating_deviation})"
        who = (f"{printed_name(inspection.invalidated_by)}, "
               f"{local(inspection.invalidated_at)}")
        for r in inspection.results.all():
            superseded_rows.append([str(inspection.pk), f"{r.specification.code} {r.specification.name}",
                                    r.display_value, r.get_outcome_display(), who, why])
    deviation_rows = [[_("Deviation"), _("Kind"), _("Status"), _("Root cause")]] + [
        [str(d), d.get_kind_display(), d.get_status_display(), d.root_cause] for d in deviations]
    disposition_rows = [[_("Decision"), _("Quantity released"), _("Decided by"), _("Decided at")]] + [
        [d.get_decision_display(), d.quantity_released, printed_name(d.decided_by),
         local(d.decided_at)] for d in dispositions]
    signatures = list(chain.from_iterable(_final_rows(o) for o in [*inspections, *superseded, *deviations,
                                                                   *dispositions]))
    labels = {}
    for o in [*inspections, *superseded, *deviations, *dispositions]:
        labels[(ContentType.objects.get_for_model(o).pk, o.pk)] = f"{type(o)._meta.verbose_name} {o}"
    for s in signatures:
        s.record_label = labels.get((s.content_type_id, s.object_id), s.object_repr)
    changed = any(getattr(s, "changed_after", False) for s in signatures)
    return RecordPdf(
        title=_("Certificate of analysis"),
        reference=_("Lot %(lot)s") % {"lot": batch.lot_number},
        facts=facts,
        statement=conclusion(batch, inspections, dispositions),
        sections=[
            Section(_("Release test results"), results if len(results) > 1 else (),
                    text=_("No release results."), widths=[0.24, 0.16, 0.16, 0.16, 0.12, 0.16]),
            Section(_("Sampling plan"), plans if len(plans) > 1 else (), text=_("No sampling plan.")),
            Section(_("SUPERSEDED — not valid for release"), superseded_rows if superseded else (),
                    text=_("No superseded results."), widths=[0.1, 0.22, 0.14, 0.1, 0.2, 0.24]),
            Section(_("Entry and second check"), people if len(people) > 1 else (), text=_("None.")),
            Section(_("Deviations"), deviation_rows if deviations else (), text=_("No deviations.")),
            Section(_("Disposition"), disposition_rows if dispositions else (), text=_("No disposition.")),
        ],
        signatures=signatures,
        printed_by=printed_name(user),
        note=_("A record changed after it was signed: see the signatures marked as changed.") if changed else "",
    ).build()
