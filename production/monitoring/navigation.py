from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Environment"), [
        (_("Excursions"), "monitoring:excursion-list", "monitoring.view_excursion"),
        (_("Monitoring points"), "monitoring:point-list", "monitoring.view_monitoringpoint"),
        (_("Limits"), "monitoring:limit-list", "monitoring.view_limit"),
        (_("Upload readings"), "monitoring:reading-upload", "monitoring.add_reading"),
    ]),
]
