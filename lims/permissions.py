"""The one permission layer (STYLE.md §3): what a user may see is a queryset restriction, what a user may do is
a permission check. Views, API and exports all call these, so a rule is never enforced in two places."""

from django.core.exceptions import PermissionDenied
from django.db import models


def perm_name(model, action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can(user, action: str, model) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(perm_name(model, action)))


def refused_permissions(request, exception=None) -> tuple[str, ...]:
    """The permissions a refused request lacked: those named by ``require`` (``PermissionDenied(perm)``), else
    the page's own ``permission_required`` (RolePageMixin pages raise a bare PermissionDenied)."""
    named = [a for a in getattr(exception, "args", ()) if isinstance(a, str) and _is_perm(a)]
    if named:
        return tuple(named)
    match = getattr(request, "resolver_match", None)
    view = getattr(getattr(match, "func", None), "view_class", None)
    declared = getattr(view, "permission_required", None)
    if isinstance(declared, str):
        declared = (declared,)
    return tuple(p for p in (declared or ()) if isinstance(p, str) and _is_perm(p))


def _is_perm(text: str) -> bool:
    app, dot, codename = text.partition(".")
    return bool(dot and app and codename and " " not in text)


def who_may(perms) -> list[dict]:
    """Who may do what ``perms`` allow: each role granting all of them (``lims.roles.roles_granting``, its
    translated name) with the names of its active members, for the refused page ("ask one of these people")."""
    from django.contrib.auth import get_user_model

    from lims.roles import ROLES, roles_granting

    perms = [p for p in perms if _is_perm(p)]
    if not perms:
        return []
    names = roles_granting(*perms)
    people = {}
    for username, first, last, role in (get_user_model().objects.filter(is_active=True, groups__name__in=names)
                                        .order_by("last_name", "first_name", "username")
                                        .values_list("username", "first_name", "last_name", "groups__name")):
        if role in names:
            people.setdefault(role, []).append(f"{first} {last}".strip() or username)
    return [{"role": ROLES[name], "people": people.get(name, [])} for name in names]


def require(user, perm: str):
    """Raise PermissionDenied unless the user holds ``perm`` ("app.codename")."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm(perm)):
        raise PermissionDenied(perm)


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = "view"):
        """Rows ``user`` may act on with ``action``; none when the role lacks the permission."""
        if can(user, action, self.model):
            return self
        return self.none()
