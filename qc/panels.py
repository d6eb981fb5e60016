"""The QC panel of production's batch page (production.panels): inspections and the release gates."""


def batch_panel_context(request, batch):
    if not request.user.has_perm("qc.view_inspection"):
        return None
    from qc.gates import release_blockers
    from qc.models import Inspection

    inspections = list(Inspection.objects.filter(batch=batch).select_related("batch").order_by("-recorded_at"))
    blockers = release_blockers(batch, request.user) if batch.status in ("awaiting_qc", "quarantined") else []
    return {"inspections": inspections, "blockers": blockers}
