"""Who may do what in production (DESIGN.md, Users): production staff run the plant; QC and QA read it and take
the incoming decision on component lots; regulatory reads products and batches; the auditor reads everything
through the core's ``*.view_*``; the admin holds everything."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "Production": ["production.view_*", "production.add_*", "production.change_*", "production.run_batch"],
    "QC": ["production.view_*", "production.approve_materiallot"],
    "QA": ["production.view_*", "production.approve_materiallot"],
    "Regulatory": ["production.view_product", "production.view_batch"],
}

ROLE_DUTIES = {
    "Production": [
        (_("Open a batch on a line"), "production:batch-create"),
        (_("Batches: log steps, consume component lots, complete"), "production:batch-list"),
        (_("Receive component lots"), "production:materiallot-list"),
        (_("Line output against capacity"), "production:capacity"),
    ],
    "QC": [(_("Component lots waiting for the incoming decision"), "production:materiallot-list")],
}
