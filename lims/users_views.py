"""The Admin's pages for accounts and roles (role Admin only): a searchable list, a user's page with roles,
history link and the forms that call the services of ``lims.users`` — each with a required reason."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from lims import users
from lims.forms import bootstrap
from lims.listing import Column, ListPage, RolePageMixin
from lims.pages import ServiceFormView
from lims.roles import ROLES
from lims.users_forms import ReasonForm, RoleForm, UserCreateForm, UserEditForm
from lims.users_models import RoleAssignment

User = get_user_model()
ADMIN_PERMISSION = "auth.change_user"  # the Admin role only (Admin holds every permission)


class RolesColumn(Column):
    def value(self, row):
        return ", ".join(str(ROLES.get(g.name, g.name)) for g in row.groups.all())


class ActiveColumn(Column):
    def value(self, row):
        return _("active") if row.is_active else _("deactivated")


class UserList(ListPage):
    model = User
    permission_required = ADMIN_PERMISSION
    queryset = User.objects.prefetch_related("groups")
    title = _("Users and roles")
    columns = [
        Column("username", _("User name"), sort="username", link=True),
        Column("get_full_name", pgettext_lazy("person", "Name"), sort="last_name"),
        RolesColumn("groups", _("Roles")),
        ActiveColumn("is_active", _("Status"), sort="is_active"),
        Column("last_login", _("Last sign-in"), sort="last_login"),
    ]
    search_fields = ("username", "first_name", "last_name", "email")
    default_sort = "username"
    export_name = "users"
    create_url_name = "admin-user-create"
    create_permission = ADMIN_PERMISSION

    def get_queryset(self):
        return self.queryset.all()


class UserDetail(RolePageMixin, TemplateView):
    permission_required = ADMIN_PERMISSION
    template_name = "lims/users/detail.html"

    def get_context_data(self, **kwargs):
        account = get_object_or_404(User.objects.prefetch_related(
            "groups", Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("role"))),
            pk=self.kwargs["pk"])
        held = {g.name for g in account.groups.all()}
        pk = account.pk
        return super().get_context_data(
            account=account,
            roles=[(name, label) for name, label in ROLES.items() if name in held],
            grant_form=bootstrap(RoleForm(auto_id="grant_%s")),
            reason_form=bootstrap(ReasonForm(auto_id="state_%s")),
            revoke_url=reverse("admin-user-revoke", args=[pk]), grant_url=reverse("admin-user-grant", args=[pk]),
            deactivate_url=reverse("admin-user-deactivate", args=[pk]),
            reactivate_url=reverse("admin-user-reactivate", args=[pk]),
            edit_url=reverse("admin-user-edit", args=[pk]),
            history_url=reverse("object-history", args=[User._meta.app_label, User._meta.model_name, pk]),
            role_history=list(users.role_history(account).select_related("history_user")[:50]),
            **kwargs)


class UserCreate(ServiceFormView):
    permission_required = ADMIN_PERMISSION
    form_class = UserCreateForm
    title = _("New user")
    submit_label = _("Create user")
    success_message = _("User created.")

    def perform(self, form):
        d = form.cleaned_data
        return users.create_user(username=d["username"], first_name=d["first_name"], last_name=d["last_name"],
                                 email=d["email"], initial_password=d["password"], roles=d["roles"],
                                 user=self.request.user, reason=d["reason"])

    def back_url(self):
        return reverse("admin-user-list")

    def success_url_for(self, obj):
        return reverse("admin-user-detail", args=[obj.pk])


class _AccountAction(ServiceFormView):
    permission_required = ADMIN_PERMISSION
    form_class = ReasonForm

    def account(self):
        return get_object_or_404(User, pk=self.kwargs["pk"])

    def back_url(self):
        return reverse("admin-user-detail", args=[self.kwargs["pk"]])

    def success_url_for(self, obj):
        return self.back_url()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["title"] = f"{self.title} · {self.account().get_username()}"
        return ctx


class UserEdit(_AccountAction):
    form_class = UserEditForm
    title = _("Edit user")

    def get_initial(self):
        a = self.account()
        return {"first_name": a.first_name, "last_name": a.last_name, "email": a.email}

    def perform(self, form):
        d = form.cleaned_data
        return users.update_user(self.account(), first_name=d["first_name"], last_name=d["last_name"],
                                 email=d["email"], user=self.request.user, reason=d["reason"])


class GrantRole(_AccountAction):
    form_class = RoleForm
    title = _("Grant a role")
    submit_label = _("Grant")
    success_message = _("Role granted.")

    def perform(self, form):
        return users.grant_role(self.account(), form.cleaned_data["role"], user=self.request.user,
                                reason=form.cleaned_data["reason"])


class RevokeRole(GrantRole):
    title = _("Revoke a role")
    submit_label = _("Revoke")
    success_message = _("Role revoked.")

    def perform(self, form):
        return users.revoke_role(self.account(), form.cleaned_data["role"], user=self.request.user,
                                 reason=form.cleaned_data["reason"])


class Deactivate(_AccountAction):
    title = _("Deactivate user")
    submit_label = _("Deactivate")
    success_message = _("User deactivated.")

    def perform(self, form):
        return users.deactivate_user(self.account(), user=self.request.user, reason=form.cleaned_data["reason"])


class Reactivate(_AccountAction):
    title = _("Reactivate user")
    submit_label = _("Reactivate")
    success_message = _("User reactivated.")

    def perform(self, form):
        return users.reactivate_user(self.account(), user=self.request.user, reason=form.cleaned_data["reason"])
