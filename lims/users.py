"""Users and roles are records (21 CFR Part 11 §11.10(d), (g), §11.100; EU GMP Annex 11 §12): accounts and
role assignments change only through these services, each with the acting user and a required reason, and
every change is in the audit trail (history on the user, ``lims.RoleAssignment`` for each role held).

- A user name is never reused: not for a new account while one with that name exists or existed (also
  deactivated ones), compared without case.
- Users are never deleted: they are deactivated and keep their history and signatures.
- Writes of an account outside the services (``createsuperuser``, test fixtures) are still recorded, marked
  as system writes; the sign-in time is stored without a history row (it is not part of the record).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history import register

from lims.audit import HistoricalAudit, HistoryManager, service
from lims.errors import DomainError, ReasonRequired

User = get_user_model()

# History on every user account, in the lims app (table lims_historicaluser). The password hash and the
# sign-in time are not copied into the trail.
if not hasattr(User._meta, "simple_history_manager_attribute"):
    register(User, app="lims", bases=[HistoricalAudit], excluded_fields=["password", "last_login"],
             history_change_reason_field=models.TextField(blank=True, default=""), cascade_delete_history=False,
             user_related_name="+", history_manager=HistoryManager)
User.audit_outside_services = True  # lims.audit: recorded as a system write instead of refused
User.history_children = ("role_assignments",)  # the user's history page shows the role grants and revocations
User.history_label_field = "username"


def _account_url(self):
    from django.urls import reverse

    return reverse("admin-user-detail", args=[self.pk])


User.get_absolute_url = _account_url


def _never_delete(self, *args, **kwargs):
    raise DomainError(_("Users are never deleted; deactivate the account instead."), "never_deleted")


User.delete = _never_delete  # before any transaction opens; a queryset delete is refused by pre_delete


def _require_reason(reason: str):
    if not (reason or "").strip():
        raise ReasonRequired()


def _role(name: str) -> Group:
    from lims.roles import ROLES

    group = Group.objects.filter(name=name).first() if name in ROLES else None
    if group is None:
        raise ValidationError({"role": [_("Unknown role.")]})
    return group


def username_taken(username: str) -> bool:
    """A user name is never reused: any account, active or not, or any name in the account history."""
    return (User.objects.filter(username__iexact=username).exists()
            or User.history.filter(username__iexact=username).exists())


@service
def create_user(*, username: str, first_name: str = "", last_name: str = "", email: str = "",
                initial_password: str = "",
                roles=(), superuser: bool = False, user, reason: str):
    _require_reason(reason)
    username = (username or "").strip()
    if username and username_taken(username):
        raise ValidationError({"username": [_("This user name is or was in use; user names are never reused.")]})
    account = User(username=username, first_name=first_name, last_name=last_name, email=email,
                   is_superuser=superuser, is_staff=superuser, is_active=True)
    if initial_password:
        from django.contrib.auth.password_validation import validate_password

        try:
            validate_password(initial_password, account)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        account.set_password(initial_password)
    else:
        account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    for name in roles:
        grant_role(account, name, user=user, reason=reason)
    return account


@service
def update_user(account, *, first_name: str, last_name: str, email: str, user, reason: str):
    _require_reason(reason)
    account = User.objects.select_for_update().get(pk=account.pk)
    account.first_name, account.last_name, account.email = first_name, last_name, email
    account.full_clean(exclude=["password"])
    account.save()
    return account


@service
def set_password(account, new_password: str, *, user, reason: str):
    """An administrator sets a password (a new account, a forgotten one); the hash is not in the trail, the
    change is (a history row with the reason)."""
    _require_reason(reason)
    account = User.objects.select_for_update().get(pk=account.pk)
    account.set_password(new_password)
    account.save()
    return account


@service
def deactivate_user(account, *, user, reason: str):
    """The account can no longer sign in, use the API or sign; its history and signatures stay."""
    _require_reason(reason)
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.pk == user.pk:
        raise DomainError(_("You cannot deactivate your own account."), "own_account")
    if not account.is_active:
        raise DomainError(_("This account is already deactivated."), "invalid_state")
    account.is_active = False
    account.save()
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=account).delete()
    return account


@service
def reactivate_user(account, *, user, reason: str):
    _require_reason(reason)
    account = User.objects.select_for_update().get(pk=account.pk)
    if account.is_active:
        raise DomainError(_("This account is active."), "invalid_state")
    account.is_active = True
    account.save()
    return account


@service
def grant_role(account, role: str, *, user, reason: str):
    from lims.users_models import RoleAssignment

    _require_reason(reason)
    group = _role(role)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.is_active:
        raise DomainError(_("A deactivated account cannot be given a role."), "invalid_state")
    assignment = RoleAssignment.objects.select_for_update().filter(user=account, role=group).first()
    if assignment is not None and assignment.active and account.groups.filter(pk=group.pk).exists():
        raise DomainError(_("%(user)s already holds the role %(role)s.") % {"user": account, "role": role},
                          "already_held")
    if assignment is None:
        assignment = RoleAssignment.objects.create(user=account, role=group, active=True)
    elif not assignment.active:
        assignment.active = True
        assignment.save()
    account.groups.add(group)
    return assignment


@service
def revoke_role(account, role: str, *, user, reason: str):
    from lims.users_models import RoleAssignment

    _require_reason(reason)
    group = _role(role)
    account = User.objects.select_for_update().get(pk=account.pk)
    if not account.groups.filter(pk=group.pk).exists():
        raise DomainError(_("%(user)s does not hold the role %(role)s.") % {"user": account, "role": role},
                          "not_held")
    if account.pk == user.pk and role == "Admin":
        raise DomainError(_("You cannot revoke your own Admin role."), "own_account")
    assignment = RoleAssignment.objects.select_for_update().filter(user=account, role=group).first()
    if assignment is None:  # a membership made before role assignments were records: record it, then end it
        assignment = RoleAssignment.objects.create(user=account, role=group, active=True)
    assignment.active = False
    assignment.save()
    account.groups.remove(group)
    return assignment


def role_history(account):
    from lims.users_models import RoleAssignment

    return RoleAssignment.history.filter(user_id=account.pk).order_by("-history_id")


def _record_login_time(sender, user, **kwargs):
    """Instead of Django's ``update_last_login`` (a save, hence a history row at every sign-in)."""
    type(user)._default_manager.filter(pk=user.pk).update(last_login=timezone.now())


def _refuse_delete(sender, instance, **kwargs):
    raise DomainError(_("Users are never deleted; deactivate the account instead."), "never_deleted")


def connect():
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(_record_login_time, dispatch_uid="lims.record_login_time")
    pre_delete.connect(_refuse_delete, sender=User, dispatch_uid="lims.refuse_user_delete")
