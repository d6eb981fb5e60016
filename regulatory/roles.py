"""Who may do what in regulatory and export (DESIGN.md, Users): regulatory officers keep markets, rules and the
certification register and record shipments; QA, QC and production read eligibility, markets and
certifications; the auditor reads everything through the core's ``*.view_*``."""

from django.utils.translation import gettext_lazy as _

READ = ["regulatory.view_market", "regulatory.view_marketrule", "regulatory.view_certificationkind",
        "regulatory.view_certification", "regulatory.view_shipment", "regulatory.view_shipmentserial",
        "regulatory.view_batchverification", "regulatory.view_batchverificationdocument"]

PERMISSIONS = {
    "Regulatory": ["regulatory.view_*", "regulatory.add_*", "regulatory.change_*", "qc.view_performancestudy",
                   "regulatory.decide_certification", "regulatory.decide_batchverification"],
    "QA": READ,
    "QC": READ,
    "Production": READ,
}

ROLE_DUTIES = {
    "Regulatory": [
        (_("Certification matrix: what is valid, expiring or missing"), "regulatory:matrix"),
        (_("Check whether a lot may ship"), "regulatory:eligibility"),
        (_("Record a shipment"), "regulatory:shipment-create"),
        (_("Notified-body batch verification of class D lots"), "regulatory:verification-list"),
        (_("Recall: who received a lot"), "regulatory:recall"),
    ],
}
