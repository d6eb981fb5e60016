"""Who may do what in regulatory and export (DESIGN.md, Users): regulatory officers keep markets, rules and the
certification register and record shipments; QA, QC and production read eligibility, markets and
certifications; the auditor reads everything through the core's ``*.view_*``."""

from django.utils.translation import gettext_lazy as _

READ = ["regulatory.view_market", "regulatory.view_marketrule", "regulatory.view_certificationkind",
        "regulatory.view_certification", "regulatory.view_shipment"]

PERMISSIONS = {
    "Regulatory": ["regulatory.view_*", "regulatory.add_*", "regulatory.change_*", "qc.view_performancestudy",
                   "regulatory.decide_certification"],
    "QA": READ,
    "QC": READ,
    "Production": READ,
}

ROLE_DUTIES = {
    "Regulatory": [
        (_("Certification matrix: what is valid, expiring or missing"), "regulatory:matrix"),
        (_("Check whether a lot may ship"), "regulatory:eligibility"),
        (_("Record a shipment"), "regulatory:shipment-create"),
    ],
}
