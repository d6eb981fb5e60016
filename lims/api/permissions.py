"""API permissions: authentication first (401), then the role's model permission (403). The same Django
permissions drive pages and exports (lims.permissions)."""

from rest_framework.permissions import BasePermission

METHOD_ACTIONS = {
    "GET": "view", "HEAD": "view", "OPTIONS": "view",
    "POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete",
}


class ModelRolePermission(BasePermission):
    """Requires an authenticated, active user and the permission the view names.

    A view may declare ``required_permissions``: a dict of "action:METHOD", DRF action or HTTP method (most
    specific first) → "app.codename" (or a list), a single string or a list for every method (an empty list:
    any signed-in user). Otherwise the model permission of the view's queryset applies (view for reads,
    add/change/delete for writes).
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        needed = self.required(request, view)
        return all(user.has_perm(p) for p in needed)

    @staticmethod
    def required(request, view) -> list[str]:
        declared = getattr(view, "required_permissions", None)
        if isinstance(declared, str):
            return [declared]
        if isinstance(declared, (list, tuple)):
            return list(declared)
        if isinstance(declared, dict):
            action = getattr(view, "action", None)
            for key in (f"{action}:{request.method}", action, request.method):
                if key in declared:
                    value = declared[key]
                    return [value] if isinstance(value, str) else list(value)
        queryset = getattr(view, "queryset", None)
        if queryset is None and hasattr(view, "get_queryset"):
            queryset = view.get_queryset()
        if queryset is None:
            return ["lims.__no_permission_declared__"]  # fail closed: a view must say what it needs
        opts = queryset.model._meta
        action = METHOD_ACTIONS.get(request.method, "change")
        return [f"{opts.app_label}.{action}_{opts.model_name}"]
