"""Who may do what in QC and release (DESIGN.md, Users): QC records and reviews, QA approves, closes deviations
and disposes batches; production sees QC and raises deviations; regulatory sees dispositions and CoAs."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "QC": [
        "qc.view_*", "qc.add_specification", "qc.change_specification", "qc.add_inspection",
        "qc.change_inspection", "qc.add_inspectionresult", "qc.change_inspectionresult", "qc.review_inspection",
        "qc.add_deviation", "qc.change_deviation", "qc.add_capa", "qc.change_capa",
        "qc.add_performancestudy", "qc.change_performancestudy", "qc.add_performancestratum",
        "qc.change_performancestratum", "qc.add_controlmaterial", "qc.change_controlmaterial", "qc.add_controlresult",
        "qc.add_westgardconfig", "qc.change_westgardconfig", "qc.add_stabilitystudy", "qc.add_stabilityresult",
        "qc.change_stabilityresult",
        "production.view_batch", "production.view_materiallot", "production.view_product",
    ],
    "QA": [
        "qc.view_*", "qc.review_inspection", "qc.approve_inspection", "qc.invalidate_inspection",
        "qc.add_disposition", "qc.close_deviation",
        "qc.add_deviation",
        "qc.change_deviation", "qc.add_capa", "qc.change_capa",
        "qc.decide_switching", "qc.approve_stabilitystudy", "qc.change_stabilitygate",
        "qc.add_specification", "qc.change_specification",  # QA owns the specification with QC (issue 19)
        "production.view_batch", "production.view_materiallot", "production.view_product",
    ],
    "Production": ["qc.view_*", "qc.add_deviation"],
    "Regulatory": ["qc.view_disposition", "qc.view_specification", "qc.view_performancestudy",
                   "qc.view_performancestratum", "qc.view_stabilitystudy"],
    "Auditor": ["qc.view_*"],
}

ROLE_DUTIES = {
    "QC": [(_("Inspect batches awaiting QC"), "qc:inspection-create"), (_("Inspections"), "qc:inspection-list")],
    "QA": [(_("Approve inspections and dispose batches"), "qc:inspection-list"),
           (_("Open deviations"), "qc:deviation-list")],
}
