"""Who may do what in environmental monitoring: production staff (and the counters' service accounts, which
hold the Production role or just ``monitoring.add_reading``) post readings and keep the points; QA sets the
limits and assesses excursions with a signature; QC and the auditor read."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "Production": ["monitoring.view_*", "monitoring.add_reading", "monitoring.add_monitoringpoint",
                   "monitoring.change_monitoringpoint"],
    "QA": ["monitoring.view_*", "monitoring.add_limit", "monitoring.assess_excursion"],
    "QC": ["monitoring.view_*"],
    "Auditor": ["monitoring.view_*"],
}

ROLE_DUTIES = {
    "Production": [(_("Clean-room readings and trends"), "monitoring:point-list"),
                   (_("Upload a particle counter export"), "monitoring:reading-upload")],
    "QA": [(_("Assess environmental excursions"), "monitoring:excursion-list"),
           (_("Clean-room limits"), "monitoring:limit-list")],
}
