from django.utils.translation import gettext_lazy as _

MENU = [
    (_("QC and release"), [
        (_("Inspections"), "qc:inspection-list", "qc.view_inspection"),
        (_("Record an inspection"), "qc:inspection-create", "qc.add_inspection"),
        (_("Specifications"), "qc:specification-list", "qc.view_specification"),
        (_("Deviations"), "qc:deviation-list", "qc.view_deviation"),
        (_("Dispositions"), "qc:disposition-list", "qc.view_disposition"),
        (_("Performance studies"), "qc:performancestudy-list", "qc.view_performancestudy"),
        (_("ISO 2859-1 switching"), "qc:switching-list", "qc.view_switchingstate"),
        (_("Control materials"), "qc:controlmaterial-list", "qc.view_controlmaterial"),
        (_("Stability studies"), "qc:stability-list", "qc.view_stabilitystudy"),
        (_("Dispose a batch"), "qc:disposition-create", "qc.add_disposition"),
    ]),
]
