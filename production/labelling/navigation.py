from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Labelling"), [
        (_("Label print jobs"), "labelling:printjob-list", "labelling.view_printjob"),
        (_("Label printers"), "labelling:printer-list", "labelling.view_printer"),
    ]),
]
