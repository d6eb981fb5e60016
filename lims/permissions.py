"""The one permission layer (STYLE.md §3): what a user may see is a queryset restriction, what a user may do is
a permission check. Views, API and exports all call these, so a rule is never enforced in two places."""

from django.core.exceptions import PermissionDenied
from django.db import models


def perm_name(model, action: str) -> str:
    opts = model._meta
    return f"{opts.app_label}.{action}_{opts.model_name}"


def can(user, action: str, model) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(perm_name(model, action)))


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
