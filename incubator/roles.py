from django.utils.translation import gettext_lazy as _

# The Incubator role runs the portfolio; the Lab sees projects to link a lab client to one. Auditors read
# everything through the core's "*.view_*".
PERMISSIONS = {
    "Incubator": ["incubator.*"],
    "Lab": ["incubator.view_project"],
}

ROLE_DUTIES = {
    "Incubator": [
        (_("See the portfolio: stages, overdue milestones, funding"), "incubator:portfolio"),
        (_("Projects"), "incubator:project-list"),
        (_("Milestones"), "incubator:milestone-list"),
        (_("Funding events"), "incubator:funding-list"),
    ],
}
