"""The Django admin is read-only: users and roles change only through the audited services of ``lims.users``
(the page ``/admin-users/``), domain records only through each app's services; history and signatures are
never editable or deletable. Every app's ``admin.py`` registers with ``ReadOnlyAdmin``."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from lims.models import AuditVerification, Signature, SignatureFailure
from lims.users_models import RoleAssignment


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Signature)
class SignatureAdmin(ReadOnlyAdmin):
    list_display = ("signed_at", "printed_name", "meaning", "object_repr", "history_id")
    list_filter = ("meaning",)
    search_fields = ("printed_name", "object_repr", "reason")


@admin.register(SignatureFailure)
class SignatureFailureAdmin(ReadOnlyAdmin):
    list_display = ("attempted_at", "user", "action")


class ReadOnlyUserAdmin(ReadOnlyAdmin, UserAdmin):
    """Accounts are read here; they change at /admin-users/ (create, deactivate, grant, revoke with a reason)."""

    list_display = ("username", "first_name", "last_name", "is_active", "last_login")


class ReadOnlyGroupAdmin(ReadOnlyAdmin, GroupAdmin):
    pass


for _model, _admin in ((get_user_model(), ReadOnlyUserAdmin), (Group, ReadOnlyGroupAdmin)):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role_name", "active", "updated_at")
    list_select_related = ("user",)


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ("finished_at", "run_by", "ok", "rows_checked")
