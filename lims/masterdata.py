"""Master data pages (issue 19): one create page and one edit page for every kind of master record — products,
materials, process steps, clean rooms, lines, specifications, markets, assays … — declared once per kind.

An app declares a kind in its ``masterdata.py`` and mounts its pages from ``urls.py``::

    MATERIAL = register(MasterKind(Material, "materials", fields=("code", "name", "name_zh", "category", ...),
                                   list_url="production:material-list"))
    urlpatterns = [..., *MATERIAL.urls()]          # materials/new/  materials/<pk>/edit/

and its list page takes ``MasterListMixin`` (a "New" button and an "Edit" link per row for those who may, and
for the others the roles who may). The English and the Chinese name stand side by side; every change goes
through one service: creation through the kind's own (the API's: ``create_product``, ``create_specification``)
or ``lims.services.create_record``, every edit through ``lims.services.update_record`` (reason required,
``version`` checked, history written) — the same functions the API calls. Who may act is the model's
``add_`` / ``change_`` permission, as the apps' ``roles.py`` grant it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.forms import modelform_factory
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lims.forms import ReasonField, VersionedForm
from lims.pages import ServiceFormView
from lims.permissions import perm_name
from lims.roles import ROLES, roles_granting
from lims.services import create_record, update_record

_KINDS: dict[str, MasterKind] = {}

FIXED_HELP = _("Fixed once the record exists: other records and systems refer to it by this.")


@dataclass(eq=False)
class MasterKind:
    """One kind of master record and how its pages are made.

    ``fields``: what the form asks, in order (``name`` and ``name_zh`` are shown side by side);
    ``fixed_on_edit``: shown but not editable once created (the code others refer to);
    ``parent``: a foreign key fixed by the URL (the product of a process step: ``<parent_segment>/<parent_pk>/
    <segment>/new/``, ``products/3/steps/new/``);
    ``create``: the creating service ``create(data, *, user, reason)`` (default ``create_record``);
    ``after_save``: ``"list"`` (back to ``list_url``) or ``"object"`` (the record's own page).
    """

    model: type
    segment: str
    fields: tuple[str, ...]
    list_url: str
    create: Callable | None = None
    fixed_on_edit: tuple[str, ...] = ("code",)
    parent: str | None = None
    after_save: str = "list"
    parent_segment: str = ""
    widgets: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def namespace(self) -> str:
        return self.list_url.split(":")[0]

    @property
    def create_url_name(self) -> str:
        return f"{self.namespace}:{self.model._meta.model_name}-create"

    @property
    def edit_url_name(self) -> str:
        return f"{self.namespace}:{self.model._meta.model_name}-edit"

    @property
    def add_permission(self) -> str:
        return perm_name(self.model, "add")

    @property
    def change_permission(self) -> str:
        return perm_name(self.model, "change")

    @property
    def bilingual(self) -> bool:
        return "name_zh" in self.fields

    def urls(self) -> list:
        name = self.model._meta.model_name
        new = f"{self.parent_segment}/<int:parent_pk>/{self.segment}/new/" if self.parent else f"{self.segment}/new/"
        return [
            path(new, MasterCreate.as_view(kind=self), name=f"{name}-create"),
            path(f"{self.segment}/<int:pk>/edit/", MasterEdit.as_view(kind=self), name=f"{name}-edit"),
        ]

    def create_url(self, parent=None) -> str:
        return reverse(self.create_url_name, args=[parent.pk] if self.parent else [])

    def edit_url(self, obj) -> str:
        return reverse(self.edit_url_name, args=[obj.pk])

    def form_class(self, editing: bool):
        fields = [f for f in self.fields if f != self.parent]
        form = modelform_factory(self.model, form=MasterForm, fields=fields, widgets=self.widgets)
        form.fixed = self.fixed_on_edit if editing else ()
        return form

    def run_create(self, data, *, user, reason):
        if self.create is not None:
            return self.create(data, user=user, reason=reason)
        return create_record(self.model, data, user=user, reason=reason)


def register(kind: MasterKind) -> MasterKind:
    """Declare ``kind``; registering a model again replaces its entry (a second ``ready()``, a test)."""
    _KINDS[kind.key] = kind
    return kind


def _load():
    """Import every app's ``masterdata`` module (``lims.registry.app_modules``): each registers its kinds."""
    from lims.registry import app_modules

    for _name, _module in app_modules("masterdata"):
        pass


def kinds() -> list[MasterKind]:
    _load()
    return list(_KINDS.values())


def kind_for(model) -> MasterKind | None:
    if model._meta.label_lower not in _KINDS:
        _load()
    return _KINDS.get(model._meta.label_lower)


def editors_text(kind: MasterKind) -> str:
    roles = [str(ROLES[role]) for role in roles_granting(kind.change_permission)]
    if not roles:
        return gettext("No role may change these records.")
    return gettext("Changed by: %(roles)s.") % {"roles": gettext(", ").join(roles)}


# --- the form ------------------------------------------------------------------------------------------------

class MasterForm(VersionedForm):
    """A master record's fields, the version it was read at and the reason (required on an edit)."""

    reason = ReasonField()
    fixed: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "name_zh" in self.fields:
            self.fields["name_zh"].widget.attrs.update({"lang": "zh-Hans"})
        for name in self.fixed:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = FIXED_HELP
        self.order_fields([*(f for f in self.fields if f not in ("reason", "version")), "reason", "version"])


# --- the pages -------------------------------------------------------------------------------------------------

class MasterFormView(ServiceFormView):
    kind: MasterKind = None
    template_name = "lims/masterdata_form.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = ctx["form"]
        names = [form[n] for n in ("name", "name_zh") if n in form.fields] if self.kind.bilingual else []
        ctx.update({
            "name_fields": names,
            "other_fields": [f for f in form.visible_fields() if f.name not in {"name", "name_zh", "reason"}
                             or (f.name in {"name", "name_zh"} and not names)],
            "reason_field": form["reason"],
            "editors_text": editors_text(self.kind),
            "kind": self.kind, "back_label": self.back_label(),
        })
        return ctx

    def back_url(self):
        return reverse(self.kind.list_url)

    def back_label(self):
        return capfirst(self.kind.model._meta.verbose_name_plural)

    def success_url_for(self, obj):
        if self.kind.parent:
            return getattr(obj, self.kind.parent).get_absolute_url()
        if self.kind.after_save == "object":
            return obj.get_absolute_url()
        return reverse(self.kind.list_url) + f"?q={getattr(obj, 'code', '')}"

    def success_message_for(self, obj):
        return gettext("Saved %(record)s.") % {"record": obj}


class MasterCreate(MasterFormView):
    """``<segment>/new/``: a new record of the kind, through its creating service."""

    def get_permission_required(self):
        return (self.kind.add_permission,)

    @cached_property
    def parent_object(self):
        if not self.kind.parent:
            return None
        parent_model = self.kind.model._meta.get_field(self.kind.parent).related_model
        return get_object_or_404(parent_model.objects.restrict(self.request.user, "view"), pk=self.kwargs["parent_pk"])

    def get_form_class(self):
        return self.kind.form_class(editing=False)

    def get(self, request, *args, **kwargs):
        self.parent_object  # noqa: B018  (404 for an unknown parent before anything is shown)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        opts = self.kind.model._meta
        title = gettext("New %(kind)s") % {"kind": opts.verbose_name}
        if self.parent_object is not None:
            title = gettext("New %(kind)s of %(parent)s") % {"kind": opts.verbose_name, "parent": self.parent_object}
        return super().get_context_data(**kwargs) | {"title": capfirst(title), "parent": self.parent_object}

    def back_url(self):
        return self.parent_object.get_absolute_url() if self.parent_object is not None else super().back_url()

    def back_label(self):
        return str(self.parent_object) if self.parent_object is not None else super().back_label()

    def perform(self, form):
        data = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
        if self.kind.parent:
            data[self.kind.parent] = self.parent_object
        return self.kind.run_create(data, user=self.request.user, reason=form.cleaned_data["reason"])


class MasterEdit(MasterFormView):
    """``<segment>/<pk>/edit/``: the fields of the kind, the reason, the version read; a stale version, a missing
    reason or a field the model refuses shows on the form and changes nothing."""

    def get_permission_required(self):
        return (self.kind.change_permission,)

    @cached_property
    def object(self):
        qs = self.kind.model._default_manager.restrict(self.request.user, "view")
        if self.kind.parent:
            qs = qs.select_related(self.kind.parent)
        return get_object_or_404(qs, pk=self.kwargs["pk"])

    def get_form_class(self):
        return self.kind.form_class(editing=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get(self, request, *args, **kwargs):
        self.object  # noqa: B018  (404 for an unknown record)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": gettext("Edit %(record)s") % {"record": self.object}, "object": self.object,
            "history_url": reverse("object-history", args=[self.kind.model._meta.app_label,
                                                           self.kind.model._meta.model_name, self.object.pk])}

    def back_url(self):
        if self.kind.parent:
            return getattr(self.object, self.kind.parent).get_absolute_url()
        return super().back_url()

    def back_label(self):
        return str(getattr(self.object, self.kind.parent)) if self.kind.parent else super().back_label()

    def perform(self, form):
        changes = form.changes()
        if not changes:
            raise ValidationError(gettext("No field was changed: there is nothing to save."))
        # ``form.instance`` is ``self.object`` with the typed values applied; update_record locks and re-reads
        # the row, so the values come from ``changes`` alone.
        return update_record(form.instance, changes, user=self.request.user, reason=form.cleaned_data["reason"],
                             expected_version=form.cleaned_data["version"], fields=list(form._meta.fields))


# --- the lists ---------------------------------------------------------------------------------------------------

class MasterListMixin:
    """For a ``lims.listing.ListPage`` of a registered kind: the "New" button and an "Edit" link per row for
    those who may (``add_`` / ``change_`` permission), and for the others who may."""

    template_name = "lims/masterdata_list.html"

    @property
    def kind(self) -> MasterKind:
        return kind_for(self.model)

    @property
    def create_url_name(self):
        return None if self.kind.parent else self.kind.create_url_name

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        may_edit = user.has_perm(self.kind.change_permission)
        may_add = user.has_perm(self.kind.add_permission)
        if may_edit:
            for row in ctx["rows"]:
                row["edit_url"] = self.kind.edit_url(row["object"])
        ctx.update({"edit_column": may_edit, "editors_text": None if may_edit and may_add else editors_text(self.kind)})
        return ctx

