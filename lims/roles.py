"""Roles are Django groups; their permissions are data declared by each app in ``<app>/roles.py`` as
``PERMISSIONS = {"Role": ["app.codename", "app.view_*", ...]}`` and synchronised after every migrate.

Patterns: ``app.*`` every permission of an app; ``app.view_*`` / ``*.view_*`` every view permission.
"""

from fnmatch import fnmatch

from django.utils.translation import gettext_lazy as _

from lims.registry import DOMAIN_APPS, app_modules

ROLES = {
    "Production": _("Production"),
    "QC": _("QC"),
    "QA": _("QA"),
    "Regulatory": _("Regulatory"),
    "Incubator": _("Incubator"),
    "Lab": _("Lab"),
    "Auditor": _("Auditor"),
    "Admin": _("Admin"),
}



def declared_permissions() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {role: [] for role in ROLES}
    for _label, module in app_modules("roles"):
        for role, patterns in getattr(module, "PERMISSIONS", {}).items():
            merged.setdefault(role, []).extend(patterns)
    return merged


def roles_granting(*perms: str) -> list[str]:
    """The roles (keys of ``ROLES``, in its order) whose declared permissions grant every one of ``perms``: who
    may do what they allow, as a page tells a person who may not."""
    declared = declared_permissions()
    return [role for role in ROLES
            if all(any(fnmatch(perm, pattern) for pattern in declared.get(role, [])) for perm in perms)]


def expand(patterns, all_perms):
    """All ``Permission`` rows (app_label.codename → row) that match any of ``patterns``."""
    chosen = {}
    for key, perm in all_perms.items():
        if any(fnmatch(key, pattern) for pattern in patterns):
            chosen[key] = perm
    return chosen


def sync_roles(verbosity: int = 0):
    """Create the groups and set exactly the declared permissions on each (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p for p in Permission.objects.select_related("content_type")
    }
    for role, patterns in declared_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = expand(patterns, all_perms)
        group.permissions.set(wanted.values())
        if verbosity:
            print(f"  role {role}: {len(wanted)} permissions")


def role_names(user) -> list[str]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(ROLES)
    cached = getattr(user, "_lims_roles", None)
    if cached is None:
        cached = sorted(user.groups.values_list("name", flat=True))
        user._lims_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return any(r in role_names(user) for r in roles)


def role_duties(user) -> list[tuple[str, list]]:
    """(role label, [(duty text, url name)]) for each of the user's roles, as declared by the apps."""
    duties: dict[str, list] = {}
    for _label, module in app_modules("roles"):
        for role, items in getattr(module, "ROLE_DUTIES", {}).items():
            duties.setdefault(role, []).extend(items)
    mine = role_names(user)
    return [(ROLES[r], duties.get(r, [])) for r in ROLES if r in mine]


__all__ = ["DOMAIN_APPS", "ROLES", "has_role", "role_duties", "role_names", "sync_roles"]

# The core's own declarations (every app's roles.py has the same two names).
PERMISSIONS = {
    "QC": ["lims.sign_records"],
    "QA": ["lims.sign_records", "lims.view_audit_log", "lims.view_signature"],
    "Regulatory": ["lims.sign_records"],
    "Production": ["lims.sign_records"],
    "Lab": ["lims.sign_records"],
    "Incubator": [],
    "Auditor": ["*.view_*", "lims.view_audit_log"],
    "Admin": ["*"],
}

ROLE_DUTIES = {
    "Auditor": [(_("Read the audit trail of every record and export it"), "audit-log")],
    "QA": [(_("Review the audit trail"), "audit-log")],
    "Admin": [(_("Manage users, roles and master data"), "admin-user-list"), (_("Audit trail"), "audit-log")],
}
