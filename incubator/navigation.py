from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Incubator"), [
        (_("Portfolio"), "incubator:portfolio", "incubator.view_project"),
        (_("Projects"), "incubator:project-list", "incubator.view_project"),
        (_("Milestones"), "incubator:milestone-list", "incubator.view_milestone"),
        (_("Funding events"), "incubator:funding-list", "incubator.view_fundingevent"),
    ]),
]
