"""The admin manages users, roles and preferences. Domain records change only through the app's services;
history and signatures are read-only here (never editable or deletable)."""

from django.contrib import admin

from lims.models import Signature, SignatureFailure


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
