from django.utils.translation import gettext_lazy as _

MENU = [
    (_("Regulatory and export"), [
        (_("Certification matrix"), "regulatory:matrix", "regulatory.view_certification"),
        (_("Certifications"), "regulatory:certification-list", "regulatory.view_certification"),
        (_("Markets"), "regulatory:market-list", "regulatory.view_market"),
        (_("Market rules"), "regulatory:rule-list", "regulatory.view_marketrule"),
        (_("Export eligibility"), "regulatory:eligibility", "regulatory.view_certification"),
        (_("Shippable lots today"), "regulatory:summary", "regulatory.view_certification"),
        (_("Dossiers"), "regulatory:dossier-list", "regulatory.view_dossier"),
        (_("Shipments"), "regulatory:shipment-list", "regulatory.view_shipment"),
        (_("Record a shipment"), "regulatory:shipment-create", "regulatory.add_shipment"),
        (_("Batch verifications"), "regulatory:verification-list", "regulatory.view_batchverification"),
        (_("Recall: who received a lot"), "regulatory:recall", "regulatory.view_shipment"),
        (_("UDI data export"), "regulatory:udi-export", "regulatory.view_certification"),
    ]),
]
