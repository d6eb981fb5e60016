from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Incubator"), [
        # view_milestone: the Lab role reads projects (to link a client) but has no portfolio pages.
        (_("Portfolio"), "incubator:portfolio", "incubator.view_milestone"),
        (_("Projects"), "incubator:project-list", "incubator.view_milestone"),
        (_("Milestones"), "incubator:milestone-list", "incubator.view_milestone"),
        (_("Funding events"), "incubator:funding-list", "incubator.view_fundingevent"),
    ]),
]
