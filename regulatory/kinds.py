"""Names people read instead of codes (issue 18, "registers that read like registers"): certification kinds, the
eligibility checks and the gate codes, translated. A kind a user registers under a code not listed here keeps the
name it was registered with."""

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {
    "ce_declaration": _("EU declaration of conformity (CE)"),
    "ivdr_certificate": _("IVDR certificate of a notified body"),
    "eu_common_list": _("EU common list of rapid antigen tests (HSC)"),
    "nmpa_registration": _("NMPA registration certificate"),
    "export_whitelist": _("MOFCOM export white-list entry"),
    "titck_approval": _("TİTCK import approval"),
    "uts_registration": _("ÜTS product registration (Türkiye)"),
    "mda_registration": _("MDA medical device registration (Malaysia)"),
    "thai_fda_notification": _("Thai FDA notification / licence"),
}

# What each eligibility check looks at (the ``code`` of a row of ``checks``).
CHECK_LABELS = {
    "release": _("Released by QA"),
    "expiry": _("Not expired"),
    "shelf_life": _("Remaining shelf life"),
    "market_rule": _("Market rule in force"),
    "certification": _("Certification"),
    "batch_verification": _("Notified-body batch verification"),
    "pilot_lot": _("Pilot lots"),
    "quantity": _("Kits left to ship"),
}

# The stable codes of refusals and warnings, by name.
GATE_LABELS = {
    "not_released": _("Not released"),
    "rejected": _("Rejected"),
    "expired": _("Expired"),
    "short_shelf_life": _("Shelf life too short"),
    "no_rule": _("No market rule"),
    "no_certification": _("No valid certification"),
    "certification_suspended": _("Certification suspended"),
    "batch_verification_pending": _("Batch verification pending"),
    "batch_verification_objected": _("Batch verification objected"),
    "pilot_not_covered": _("Pilot lot not covered"),
    "nothing_to_ship": _("Nothing left to ship"),
    "open_deviation": _("Open deviation"),
    "certification_ending": _("Certification ending soon"),
    "in_grace_period": _("In its grace period"),
    "serial_unavailable": _("Case serial unavailable"),
}


def kind_label(code: str, fallback: str = ""):
    return KIND_LABELS.get(code, fallback or code)


def gate_label(code: str):
    return GATE_LABELS.get(code, code)


def check_label(code: str):
    return CHECK_LABELS.get(code, code)
