from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Lab"), [
        (_("Throughput and turnaround"), "lab:throughput", "lab.view_sample"),
        (_("Samples"), "lab:sample-list", "lab.view_sample"),
        (_("Receive a sample"), "lab:sample-receive", "lab.add_sample"),
        (_("Import samples"), "lab:sample-import", "lab.add_sample"),
        (_("Lab clients"), "lab:client-list", "lab.view_client"),
        (_("Assays"), "lab:assay-list", "lab.view_assay"),
    ]),
]
