"""The QC panel of production's batch page (lims.registry): inspections, deviations and the release gates."""


def batch_panel_context(request, batch):
    if not request.user.has_perm("qc.view_inspection"):
        return None
    from qc.gates import release_blockers
    from qc.models import Inspection

    inspections = list(Inspection.objects.filter(batch=batch).select_related("batch").order_by("-recorded_at"))
    blockers = release_blockers(batch, request.user) if batch.status in ("awaiting_qc", "quarantined") else []
    from qc.stability import release_warnings

    deviations = []
    if request.user.has_perm("qc.view_deviation"):
        from qc.models import Deviation

        deviations = list(Deviation.objects.filter(batch=batch).select_related("result__specification")
                          .order_by("-opened_at", "-pk"))
    can_inspect = batch.status == "awaiting_qc" and request.user.has_perm("qc.add_inspection") and not any(
        i.stage == "release" and i.status in ("recorded", "reviewed", "approved") for i in inspections)
    return {"inspections": inspections, "blockers": blockers, "warnings": release_warnings(batch),
            "can_inspect": can_inspect,
            "deviations": deviations, "can_view_deviations": request.user.has_perm("qc.view_deviation")}


def product_panel_context(request, product):
    """QC's panel of production's product page: stability support, the shelf-life warning, the p-charts."""
    if not request.user.has_perm("qc.view_stabilitystudy"):
        return None
    from qc.stability import gate_enforced, shelf_life_warning

    return {"warning": shelf_life_warning(product), "enforced": gate_enforced(product)}
