from django.utils.translation import gettext_lazy as _

from lims.context_processors import ANY_ROLE

# (menu title, [(label, url name, permission or None)])
MENU = [
    (_("Scan"), [
        (_("Find by scan"), "find-by-scan", ANY_ROLE),
    ]),
    (_("Audit"), [
        (_("Audit trail"), "audit-log", "lims.view_audit_log"),
        (_("Signatures"), "signature-list", "lims.view_signature"),
        (_("Trail verification"), "audit-verify", "lims.view_audit_log"),
    ]),
    (_("Administration"), [
        (_("Users and roles"), "admin-user-list", "auth.change_user"),
    ]),
]
