"""Checklist templates per dossier purpose — data, created through the services by the demo (and by tests)."""

from lims.services import create_record
from regulatory.models import ChecklistItem, ChecklistTemplate

TEMPLATES = {
    "ivdr_technical_documentation": ("IVDR technical documentation", "Regulation (EU) 2017/746, Annex II and III", [
        "Device description and specification, including variants and accessories",
        "Information to be supplied by the manufacturer (labels, instructions for use)",
        "Design and manufacturing information",
        "General safety and performance requirements (Annex I checklist)",
        "Benefit-risk analysis and risk management",
        "Product verification and validation (analytical and clinical performance, stability)",
        "Post-market surveillance plan and PMPF (Annex III)",
    ]),
    "eu_common_list": ("EU common list of COVID-19 rapid antigen tests",
                       "Health Security Committee common list; JRC COVID-19 IVD database", [
        "CE declaration of conformity",
        "Instructions for use",
        "Clinical performance study report (sensitivity, specificity)",
        "Independent validation study (member state)",
        "JRC database entry (device id)",
    ]),
    "titck_import_approval": ("TİTCK import approval", "TİTCK IVD regulation; ÜTS", [
        "Application letter and authorisation of the Turkish importer",
        "CE declaration of conformity and certificates",
        "Instructions for use and labels in Turkish",
        "Free sale certificate",
    ]),
    "mda_registration": ("MDA medical device registration", "Medical Device Act 2012 (Act 737); MDA CSDT", [
        "Executive summary",
        "Essential principles checklist",
        "Device description",
        "Design verification and validation (CSDT)",
        "Device labelling (Malay / English)",
        "Risk analysis",
        "Manufacturer information and QMS certificate",
    ]),
    "thai_csdt": ("Thai FDA CSDT notification", "Thai FDA Medical Device Act B.E. 2551; ASEAN CSDT", [
        "Executive summary",
        "Essential principles and evidence of conformity",
        "Device description",
        "Summary of design verification and validation",
        "Labelling in Thai",
        "Risk analysis",
        "Manufacturer information",
    ]),
}


def ensure_templates(user, reason="checklist templates"):
    """Create the missing templates with their items (idempotent); return {purpose: template}."""
    out = {}
    for purpose, (name, source, items) in TEMPLATES.items():
        template = ChecklistTemplate.objects.filter(purpose=purpose).first()
        if template is None:
            template = create_record(ChecklistTemplate, {"purpose": purpose, "name": name, "source": source},
                                     user=user, reason=reason)
            for position, title in enumerate(items, start=1):
                create_record(ChecklistItem, {"template": template, "position": position, "title": title},
                              user=user, reason=reason)
        out[purpose] = template
    return out
