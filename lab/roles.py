from django.utils.translation import gettext_lazy as _

# The Lab role runs the lab. Auditors read everything through the core's "*.view_*".
PERMISSIONS = {
    "Lab": ["lab.*"],
}

ROLE_DUTIES = {
    "Lab": [
        (_("Receive samples"), "lab:sample-receive"),
        (_("Import a file of samples"), "lab:sample-import"),
        (_("Samples"), "lab:sample-list"),
        (_("Throughput and turnaround"), "lab:throughput"),
    ],
}
