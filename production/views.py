"""Pages of the production staff: lists (lims.listing.ListPage), the batch record with its actions, material lots
with the incoming decision, genealogy both ways and the capacity dashboard. Actions parse a form and call a
service; a refusal is shown as a message and changes nothing."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from lims.errors import DomainError
from lims.forms import bootstrap
from lims.listing import Column, ListPage, RolePageMixin
from lims.masterdata import MasterListMixin, editors_text
from lims.pages import ServiceFormView, report_refusal
from lims.pdf import PdfRenderer, login_or_api, pdf_response
from lims.registry import panels as registered_page_panels
from production import services
from production.capacity import chart_configs, monthly_output, surge_plan
from production.filters import (
    BatchFilter,
    CleanRoomFilter,
    LineFilter,
    MaterialFilter,
    MaterialLotFilter,
    ProductFilter,
)
from production.forms import (
    BatchCreateForm,
    CompleteForm,
    ConsumeForm,
    MaterialLotForm,
    PickListForm,
    PlannerForm,
    ReasonForm,
    StepForm,
    StepsSheetForm,
    batch_defaults,
)
from production.genealogy import batch_lots, lot_batches
from production.masterdata import PROCESS_STEP, PRODUCT
from production.models import (
    Batch,
    CleanRoom,
    Line,
    Material,
    MaterialLot,
    Product,
    RejectReason,
)
from production.scanning import LotScanRefused, receipt_from_scan, receipt_message, resolve_material_lot


def _form_errors(request, form):
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- Lists -----------------------------------------------------------------------------------------------

class ProductList(MasterListMixin, ListPage):
    model = Product
    queryset = Product.objects.select_related("project")
    filterset_class = ProductFilter
    columns = [
        Column("code", gettext_lazy("Code"), sort="code", link=True),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("gtin", gettext_lazy("GTIN"), sort="gtin"),
        Column("tests_per_kit", gettext_lazy("Tests per kit"), sort="tests_per_kit"),
        Column("shelf_life_months", gettext_lazy("Shelf life (months)")),
        Column("storage_min_c", gettext_lazy("Storage min (°C)")),
        Column("storage_max_c", gettext_lazy("Storage max (°C)")),
        Column("ifu_version", gettext_lazy("IFU version")),
        Column("project.code", gettext_lazy("Incubator project")),
    ]
    search_fields = ("code", "name", "name_zh", "gtin")
    default_sort = "code"
    export_name = "products"


class MaterialList(MasterListMixin, ListPage):
    model = Material
    filterset_class = MaterialFilter
    columns = [
        Column("code", gettext_lazy("Code"), sort="code", link=True),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("category", gettext_lazy("Category"), sort="category"),
        Column("unit", gettext_lazy("Unit")),
    ]
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "materials"


class CleanRoomList(MasterListMixin, ListPage):
    model = CleanRoom
    filterset_class = CleanRoomFilter
    columns = [
        Column("code", gettext_lazy("Code"), sort="code", link=True),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("iso_class", gettext_lazy("ISO class"), sort="iso_class"),
        Column("area_m2", gettext_lazy("Area (m²)"), sort="area_m2"),
    ]
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "clean-rooms"


class LineList(MasterListMixin, ListPage):
    model = Line
    queryset = Line.objects.select_related("clean_room")
    filterset_class = LineFilter
    columns = [
        Column("code", gettext_lazy("Code"), sort="code", link=True),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("kind", gettext_lazy("Kind"), sort="kind"),
        Column("clean_room.code", gettext_lazy("Clean room"), sort="clean_room__code"),
        Column("rated_units_per_hour", gettext_lazy("Rated kits per hour"), sort="rated_units_per_hour"),
        Column("hours_per_day", gettext_lazy("Scheduled hours per day")),
        Column("daily_capacity", gettext_lazy("Kits per day")),
        Column("active", gettext_lazy("Active"), sort="active"),
    ]
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "lines"


class RejectReasonList(MasterListMixin, ListPage):
    model = RejectReason
    columns = [
        Column("code", gettext_lazy("Code"), sort="code"),
        Column("display_name", gettext_lazy("Name"), sort="name"),
        Column("active", gettext_lazy("Active"), sort="active"),
    ]
    search_fields = ("code", "name", "name_zh")
    default_sort = "code"
    export_name = "reject-reasons"


class MaterialLotList(ListPage):
    model = MaterialLot
    queryset = MaterialLot.objects.select_related("material")
    filterset_class = MaterialLotFilter
    columns = [
        Column("supplier_lot", gettext_lazy("Supplier lot"), sort="supplier_lot", link=True),
        Column("material.code", gettext_lazy("Material"), sort="material__code"),
        Column("material.name", gettext_lazy("Material name")),
        Column("supplier", gettext_lazy("Supplier"), sort="supplier"),
        Column("received_on", gettext_lazy("Received on"), sort="received_on"),
        Column("expiry_date", gettext_lazy("Expiry date"), sort="expiry_date"),
        Column("quantity_received", gettext_lazy("Received")),
        Column("quantity_remaining", gettext_lazy("Remaining"), sort="quantity_remaining"),
        Column("material.unit", gettext_lazy("Unit")),
        Column("status", gettext_lazy("Status"), sort="status"),
    ]
    search_fields = ("supplier_lot", "supplier", "material__code", "material__name")
    default_sort = "-received_on"
    create_url_name = "production:materiallot-create"
    export_name = "material-lots"


class BatchList(ListPage):
    model = Batch
    queryset = Batch.objects.with_related().with_yield()
    filterset_class = BatchFilter
    title = gettext_lazy("Batches")
    columns = [
        Column("lot_number", gettext_lazy("Lot number"), sort="lot_number", link=True),
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("line.code", gettext_lazy("Line"), sort="line__code"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("planned_quantity", gettext_lazy("Planned")),
        Column("manufactured_on", gettext_lazy("Manufactured on"), sort="manufactured_on"),
        Column("expiry_date", gettext_lazy("Expiry date"), sort="expiry_date"),
        Column("quantity_made", gettext_lazy("Made"), sort="quantity_made"),
        Column("quantity_rejected", gettext_lazy("Rejected")),
        Column("quantity_released", gettext_lazy("Released")),
        Column("yield_pct", gettext_lazy("Yield: made / planned (%)"), sort="made_yield"),
        Column("release_yield_pct", gettext_lazy("Released / made (%)"), sort="released_yield"),
        Column("kind", gettext_lazy("Kind"), sort="kind"),
    ]
    search_fields = ("lot_number",)
    default_sort = "-manufactured_on"
    create_url_name = "production:batch-create"
    export_name = "batches"


# --- Genealogy -------------------------------------------------------------------------------------------

class BatchGenealogy(ListPage):
    """Every component lot a batch consumed (with CSV/XLSX export)."""

    model = MaterialLot
    template_name = "production/genealogy_list.html"
    permission_required = ("production.view_batch", "production.view_materiallot")
    columns = [
        Column("material.code", gettext_lazy("Material"), sort="material__code"),
        Column("material.name", gettext_lazy("Material name")),
        Column("supplier", gettext_lazy("Supplier"), sort="supplier"),
        Column("supplier_lot", gettext_lazy("Supplier lot"), sort="supplier_lot", link=True),
        Column("expiry_date", gettext_lazy("Expiry date"), sort="expiry_date"),
        Column("status", gettext_lazy("Status")),
        Column("quantity_consumed", gettext_lazy("Quantity consumed")),
        Column("material.unit", gettext_lazy("Unit")),
    ]
    search_fields = ("material__code", "material__name", "supplier_lot", "supplier")

    def get_permission_required(self):
        return self.permission_required

    @cached_property
    def batch(self):
        return get_object_or_404(Batch.objects.with_related(), lot_number=self.kwargs["lot_number"])

    def get_queryset(self):
        return batch_lots(self.batch).restrict(self.request.user, "view")

    def get_context_data(self, **kwargs):
        self.title = _("Genealogy of batch %(lot)s: component lots") % {"lot": self.batch.lot_number}
        self.export_name = f"genealogy-{self.batch.lot_number}"
        ctx = super().get_context_data(**kwargs)
        ctx["back_url"], ctx["back_label"] = self.batch.get_absolute_url(), self.batch.lot_number
        return ctx

    def export(self, fmt):
        self.title = _("Genealogy %(lot)s") % {"lot": self.batch.lot_number}
        self.export_name = f"genealogy-{self.batch.lot_number}"
        return super().export(fmt)


class LotBatches(ListPage):
    """Every batch that used a component lot: the recall list (with CSV/XLSX export)."""

    model = Batch
    template_name = "production/genealogy_list.html"
    permission_required = ("production.view_batch", "production.view_materiallot")
    columns = [
        Column("lot_number", gettext_lazy("Lot number"), sort="lot_number", link=True),
        Column("product.code", gettext_lazy("Product"), sort="product__code"),
        Column("line.code", gettext_lazy("Line"), sort="line__code"),
        Column("status", gettext_lazy("Status"), sort="status"),
        Column("manufactured_on", gettext_lazy("Manufactured on"), sort="manufactured_on"),
        Column("expiry_date", gettext_lazy("Expiry date"), sort="expiry_date"),
        Column("quantity_made", gettext_lazy("Made")),
        Column("quantity_released", gettext_lazy("Released")),
        Column("quantity_shipped", gettext_lazy("Shipped")),
        Column("quantity_consumed", gettext_lazy("Quantity of this lot used")),
    ]
    search_fields = ("lot_number",)

    def get_permission_required(self):
        return self.permission_required

    @cached_property
    def lot(self):
        return get_object_or_404(MaterialLot.objects.select_related("material"), pk=self.kwargs["pk"])

    def get_queryset(self):
        return lot_batches(self.lot).restrict(self.request.user, "view")

    def _name(self):
        self.title = _("Batches that used %(lot)s") % {"lot": self.lot}
        self.export_name = f"recall-{self.lot.material.code}-{self.lot.supplier_lot}"

    def get_context_data(self, **kwargs):
        self._name()
        ctx = super().get_context_data(**kwargs)
        ctx["back_url"], ctx["back_label"] = self.lot.get_absolute_url(), str(self.lot)
        return ctx

    def export(self, fmt):
        self._name()
        return super().export(fmt)


# --- Product ---------------------------------------------------------------------------------------------

class ProductDetail(RolePageMixin, TemplateView):
    permission_required = "production.view_product"
    template_name = "production/product_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product = get_object_or_404(Product.objects.select_related("project"), pk=kwargs["pk"])
        user = self.request.user
        boms = list(product.boms.order_by("-version_number"))
        current = next((b for b in boms if b.is_current), None)
        ctx.update({
            "product": product, "title": str(product), "boms": boms, "current_bom": current,
            "bom_lines": list(current.lines.select_related("material")) if current else [],
            "steps": list(product.process_steps.order_by("sequence")),
            "recent_batches": list(product.batches.select_related("line").order_by("-manufactured_on",
                                                                                   "-lot_number")[:10]),
            "panels": registered_page_panels("product", self.request, product),
            "can_change": user.has_perm(PRODUCT.change_permission),
            "can_add_step": user.has_perm(PROCESS_STEP.add_permission),
            "can_change_step": user.has_perm(PROCESS_STEP.change_permission),
            "step_editors": editors_text(PROCESS_STEP),
        })
        return ctx


# --- Material lots ---------------------------------------------------------------------------------------

class MaterialLotDetail(RolePageMixin, TemplateView):
    permission_required = "production.view_materiallot"
    template_name = "production/materiallot_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        lot = get_object_or_404(MaterialLot.objects.select_related("material", "decided_by"), pk=kwargs["pk"])
        user = self.request.user
        ctx.update({
            "lot": lot, "title": str(lot), "expired": lot.is_expired(),
            "can_decide": lot.status == MaterialLot.Status.QUARANTINE and user.has_perm(
                "production.approve_materiallot"),
            "decision_form": ReasonForm(), "batch_count": lot.consumptions.values("batch").distinct().count(),
            "panels": registered_page_panels("materiallot", self.request, lot),
        })
        return ctx


class MaterialLotCreate(ServiceFormView):
    """Receive a lot. A scan of the supplier's label fills in the form: on the page (lot_receipt.js asks
    MaterialLotScan), or without script when the form is sent with only the scan (Enter in the scan field)."""

    permission_required = "production.add_materiallot"
    form_class = MaterialLotForm
    template_name = "production/materiallot_form.html"
    title = gettext_lazy("Receive a material lot")
    submit_label = gettext_lazy("Receive into quarantine")
    FILLED_BY_SCAN = ("material", "supplier_lot", "expiry_date")

    def back_url(self):
        return reverse("production:materiallot-list")

    def get_form(self, form_class=None):
        return self.with_scan_url(super().get_form(form_class))

    def with_scan_url(self, form):
        form.fields["scan"].widget.attrs["data-receipt-scan"] = reverse("production:materiallot-scan")
        return form

    def post(self, request, *args, **kwargs):
        if request.POST.get("scan", "").strip() and not any(request.POST.get(f) for f in self.FILLED_BY_SCAN):
            return self.fill_from_scan(request.POST)
        return super().post(request, *args, **kwargs)

    def fill_from_scan(self, posted):
        """The form again, filled in from the scanned label, nothing received yet; a bad scan says which part is
        wrong and fills nothing."""
        initial = {k: v for k, v in posted.items() if k in self.form_class.base_fields and k != "scan"}
        status = {}
        try:
            fields = receipt_from_scan(posted["scan"])
        except LotScanRefused as exc:
            status["scan_error"] = exc.message
        else:
            initial.update(material=fields["material"].pk, supplier_lot=fields["supplier_lot"])
            if fields["expiry_date"] is not None:
                initial["expiry_date"] = fields["expiry_date"]
            status["scan_filled"] = receipt_message(fields)
        form = self.with_scan_url(bootstrap(self.form_class(initial=initial)))
        return self.render_to_response(self.get_context_data(form=form, **status))

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        data.pop("scan", None)  # an input aid: what is received is what the fields say
        return services.receive_material_lot(**data, user=self.request.user, reason=reason)

    def success_message_for(self, lot):
        return _("Lot %(lot)s received into quarantine.") % {"lot": lot}


class MaterialLotScan(RolePageMixin, View):
    """GET ``?scan=``: what the supplier's label fills in on the receipt form (lot_receipt.js), as JSON —
    ``{"ok": true, "material", "material_label", "gtin", "supplier_lot", "expiry_date", "message"}``, or
    ``{"ok": false, "detail", "code"}`` saying which part of the label is wrong (a scan the page asks about, not a
    failed request: answered 200, so the browser logs no error). Reads only."""

    permission_required = "production.add_materiallot"
    http_method_names = ["get"]

    def get(self, request):
        try:
            fields = receipt_from_scan(request.GET.get("scan", ""))
        except LotScanRefused as exc:
            return JsonResponse({"ok": False, "detail": str(exc.message), "code": exc.code})
        expiry = fields["expiry_date"]
        return JsonResponse({"ok": True, "material": fields["material"].pk, "material_label": str(fields["material"]),
                             "gtin": fields["gtin"], "supplier_lot": fields["supplier_lot"],
                             "expiry_date": expiry.isoformat() if expiry else "", "message": receipt_message(fields)})


class MaterialLotDecision(RolePageMixin, View):
    """Approve or reject a lot in quarantine (incoming QC)."""

    permission_required = "production.approve_materiallot"
    http_method_names = ["post"]
    decision = None

    def post(self, request, pk):
        lot = get_object_or_404(MaterialLot, pk=pk)
        form = ReasonForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(lot)
        service = services.approve_material_lot if self.decision == "approve" else services.reject_material_lot
        try:
            lot = service(lot, user=request.user, reason=form.cleaned_data["reason"])
        except (DomainError, ValidationError) as exc:
            report_refusal(request, exc)
        else:
            messages.success(request, _("Lot %(lot)s is now %(status)s.") % {
                "lot": lot, "status": lot.get_status_display()})
        return redirect(lot)


# --- Batches ---------------------------------------------------------------------------------------------

class BatchCreate(ServiceFormView):
    """A new batch: choosing the product fills in the line and planned quantity of its last batch (the page's
    script, from ``batch_defaults``; ``?product=<id>`` prefills them without script)."""

    permission_required = "production.add_batch"
    form_class = BatchCreateForm
    template_name = "production/batch_form.html"
    title = gettext_lazy("New batch")
    submit_label = gettext_lazy("Create the batch")

    @cached_property
    def defaults(self):
        return batch_defaults()

    def get_initial(self):
        initial = super().get_initial()
        product = self.request.GET.get("product", "")
        if product.isdigit() and Product.objects.filter(pk=int(product)).exists():
            initial["product"] = int(product)
            initial.update(self.defaults.get(product, {}))
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(batch_defaults=self.defaults, **kwargs)

    def back_url(self):
        return reverse("production:batch-list")

    def perform(self, form):
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        return services.create_batch(**data, user=self.request.user, reason=reason)

    def success_message_for(self, batch):
        return _("Batch %(lot)s planned.") % {"lot": batch.lot_number}

class BatchDetail(RolePageMixin, TemplateView):
    """The batch (device history) record: header, quantities, BOM use, steps, consumption, rejects, the actions
    allowed now, panels of other apps, links to genealogy and history."""

    permission_required = "production.view_batch"
    template_name = "production/batch_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        batch = get_object_or_404(Batch.objects.with_related(), lot_number=kwargs["lot_number"])
        user = self.request.user
        consumptions = list(batch.consumptions.select_related("material_lot__material", "consumed_by"))
        kits_for_bom = batch.quantity_made + batch.quantity_rejected or batch.planned_quantity
        bom_rows = services.bom_rows(batch, kits_for_bom)
        can_run = user.has_perm("production.run_batch")
        status = batch.status
        ctx.update({
            "batch": batch, "title": batch.lot_number, "consumptions": consumptions,
            "steps": list(batch.steps.select_related("step", "operator").order_by("started_at", "pk")),
            "rejects": list(batch.rejects.select_related("reason")),
            "bom_rows": bom_rows, "kits_for_bom": kits_for_bom,
            "can_start": can_run and status == Batch.Status.PLANNED,
            "can_work": can_run and status == Batch.Status.IN_PRODUCTION,
            "panels": registered_page_panels("batch", self.request, batch),
        })
        if ctx["can_start"]:
            ctx["start_form"] = ReasonForm()
        if ctx["can_work"]:
            now = timezone.localtime().replace(second=0, microsecond=0)
            ctx["step_form"] = StepForm(batch=batch, initial={"started_at": now, "ended_at": now})
            ctx["consume_form"] = ConsumeForm(batch=batch)
            ctx["complete_form"] = CompleteForm(reject_reasons=RejectReason.objects.filter(active=True), batch=batch)
            sheet = StepsSheetForm(batch=batch)
            ctx["steps_sheet"] = sheet if sheet.steps else None
        return ctx


class BatchAction(RolePageMixin, View):
    """POST actions on a batch: each parses its form and calls one service; any refusal is a message."""

    permission_required = "production.run_batch"
    http_method_names = ["post"]
    action = None

    def post(self, request, lot_number):
        batch = get_object_or_404(Batch.objects.with_related(), lot_number=lot_number)
        handler = getattr(self, f"do_{self.action}")
        try:
            done = handler(request, batch)
        except (DomainError, ValidationError) as exc:
            report_refusal(request, exc)
        else:
            if done:
                messages.success(request, done)
                if getattr(self, "next_url", None):
                    return redirect(self.next_url)
        return redirect(batch)

    def _valid(self, request, form):
        if form.is_valid():
            return True
        _form_errors(request, form)
        return False

    def do_start(self, request, batch):
        form = ReasonForm(request.POST)
        if self._valid(request, form):
            services.start_batch(batch, user=request.user, reason=form.cleaned_data["reason"])
            if batch.bom_id and services.bom_shortfalls(batch, batch.planned_quantity):
                # The components come first: the pick list of the whole BOM follows the start.
                self.next_url = reverse("production:batch-pick-list", args=[batch.lot_number])
            return _("Batch %(lot)s started.") % {"lot": batch.lot_number}

    def do_step(self, request, batch):
        form = StepForm(request.POST, batch=batch)
        if self._valid(request, form):
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            row = services.record_step(batch, **data, user=request.user, reason=reason)
            return _("Step recorded: %(step)s.") % {"step": row.step.name}

    def do_steps(self, request, batch):
        form = StepsSheetForm(request.POST, batch=batch)
        if not self._valid(request, form):
            return None
        try:
            done = services.record_steps(batch, form.service_rows(), user=request.user,
                                         reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                field = form.field_for(key)
                label = form.fields[field].label if field else ""
                for message in errors:
                    messages.error(request, f"{label}: {message}" if label else message)
            return None
        return ngettext("%(n)s step recorded.", "%(n)s steps recorded.", len(done)) % {"n": len(done)}

    def do_consume(self, request, batch):
        form = ConsumeForm(request.POST, batch=batch)
        # The form offers usable lots only; a lot chosen outside them still reaches the service, which says why.
        lot_id = request.POST.get("material_lot", "")
        if not form.is_valid() and list(form.errors) == ["material_lot"] and lot_id.isdigit():
            lot = MaterialLot.objects.filter(pk=int(lot_id)).first()
            if lot is not None:
                return self._consume(request, batch, lot, request.POST.get("quantity", ""),
                                     request.POST.get("reason", ""), bool(request.POST.get("accept_shorter_expiry")))
        if self._valid(request, form):
            data = form.cleaned_data
            lot = data["material_lot"]
            if data["scan"]:
                try:
                    lot = resolve_material_lot(data["scan"])
                except LotScanRefused as refused:
                    messages.error(request, refused.message)
                    return None
            return self._consume(request, batch, lot, data["quantity"], data["reason"],
                                 data["accept_shorter_expiry"])

    def _consume(self, request, batch, lot, quantity, reason, accepted):
        """A lot that would shorten the batch's expiry is consumed only once the person confirmed it. Without a
        quantity, what the BOM still needs of the lot's material for the planned quantity is used."""
        if quantity in (None, ""):
            quantity = services.bom_short_for(batch, lot.material)
            if not quantity:
                messages.error(request, _("Enter the quantity: the BOM needs no more %(material)s for %(kits)s kits.")
                               % {"material": lot.material, "kits": batch.planned_quantity})
                return None
        if (services.shortens_expiry(batch, lot) and lot.status == MaterialLot.Status.APPROVED and not lot.is_expired()
                and not accepted):
            messages.warning(request, _(
                "Lot %(lot)s expires on %(lot_expiry)s, before the batch (%(expiry)s): consuming it shortens the "
                "batch's expiry to %(lot_expiry)s. Tick the confirmation and record the consumption again.")
                % {"lot": lot, "lot_expiry": lot.expiry_date.isoformat(), "expiry": batch.expiry_date.isoformat()})
            return None
        consumption = services.consume_material(batch, material_lot=lot, quantity=quantity, user=request.user,
                                                reason=reason)
        if consumption.expiry_capped:
            return _("Consumption recorded; the batch's expiry is now %(date)s (component lot %(lot)s).") % {
                "date": consumption.expiry_capped[1].isoformat(), "lot": lot}
        return _("Consumption recorded.")

    def do_complete(self, request, batch):
        form = CompleteForm(request.POST, reject_reasons=RejectReason.objects.filter(active=True))
        if self._valid(request, form):
            services.complete_batch(batch, quantity_made=form.cleaned_data["quantity_made"], rejects=form.rejects(),
                                    user=request.user, reason=form.cleaned_data["reason"])
            return _("Batch %(lot)s completed: awaiting QC.") % {"lot": batch.lot_number}


class PickList(RolePageMixin, TemplateView):
    """The batch's whole BOM in one form (issue 19 point 2): scan or choose each lot, quantities prefilled with what
    the BOM still needs for the planned quantity; every row is checked together and nothing is recorded unless all
    pass (``services.consume_pick_list``); each refused row shows its reason on its field."""

    permission_required = "production.run_batch"
    template_name = "production/pick_list.html"

    @cached_property
    def batch(self):
        return get_object_or_404(Batch.objects.with_related(), lot_number=self.kwargs["lot_number"])

    def get_form(self, data=None):
        batch = self.batch
        if batch.status != Batch.Status.IN_PRODUCTION or batch.bom is None:
            return None
        rows = services.bom_rows(batch, batch.planned_quantity)
        lots = list(MaterialLot.objects.usable().filter(material__bom_lines__bom_id=batch.bom_id)
                    .select_related("material").order_by("material__code", "expiry_date", "pk"))
        return PickListForm(data, batch=batch, rows=rows, lots=lots)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or self.get_form()
        return super().get_context_data(
            batch=self.batch, form=form, lines=form.bound_lines() if form else [],
            title=_("Pick list of batch %(lot)s") % {"lot": self.batch.lot_number}, **kwargs)

    def post(self, request, lot_number):
        form = self.get_form(request.POST)
        if form is None:
            messages.error(request, _("The pick list is for a batch in production with a bill of materials; %(lot)s "
                                      "is %(status)s.") % {"lot": self.batch.lot_number,
                                                          "status": self.batch.get_status_display()})
            return redirect(self.batch)
        if form.is_valid():
            try:
                done = services.consume_pick_list(
                    self.batch, form.service_rows(), user=request.user, reason=form.cleaned_data["reason"],
                    accept_shorter_expiry=form.cleaned_data["accept_shorter_expiry"])
            except ValidationError as exc:
                for key, errors in exc.error_dict.items():
                    field = form.field_for(key)
                    for message in (m for e in errors for m in e.messages):
                        form.add_error(field, message)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, ngettext(
                    "%(n)s consumption recorded.", "%(n)s consumptions recorded.", len(done)) % {"n": len(done)})
                return redirect(self.batch)
        return self.render_to_response(self.get_context_data(form=form))


# --- Capacity --------------------------------------------------------------------------------------------

def _parse_month(value: str) -> tuple[int, int]:
    try:
        year, month = (int(p) for p in value.split("-"))
        date(year, month, 1)
        return year, month
    except (ValueError, TypeError):
        today = timezone.localdate()
        return today.year, today.month


class CapacityView(RolePageMixin, TemplateView):
    """Output per line and day against rated capacity, the month against the nameplate, and the surge planner."""

    permission_required = "production.view_line"
    template_name = "production/capacity.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year, month = _parse_month(self.request.GET.get("month", ""))
        report = monthly_output(year, month)
        output_chart, utilisation_chart = chart_configs(report)
        planner = PlannerForm(self.request.GET if "demand" in self.request.GET else None)
        plan = None
        if planner.is_bound and planner.is_valid():
            d = planner.cleaned_data
            plan = surge_plan(year=year, month=month, demand_tests=d["demand"], product=d.get("product"),
                              station_rate=d.get("station_rate"), station_hours=d.get("station_hours"))
        previous = date(year - (month == 1), 12 if month == 1 else month - 1, 1)
        following = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
        ctx.update({
            "title": _("Capacity"), "report": report, "month_value": f"{year:04d}-{month:02d}",
            "month_label": date(year, month, 1), "previous_month": f"{previous:%Y-%m}",
            "next_month": f"{following:%Y-%m}", "output_chart": output_chart,
            "utilisation_chart": utilisation_chart, "planner": planner, "plan": plan,
            "has_output": report["output_kits"] > 0,
        })
        return ctx



class BatchStory(RolePageMixin, TemplateView):
    """The batch's story: every history row and signature of every record that belongs to it, in any app, in
    time order (lims.story); filters app, person, kind of change; CSV, XLSX and PDF export."""

    permission_required = "production.view_batch"
    template_name = "production/batch_story.html"

    def get(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from lims import exports
        from lims.signatures import printed_name
        from lims.story import EXPORT_HEADER, batch_story, export_rows, story_choices, story_pdf

        batch = get_object_or_404(Batch.objects.select_related("product", "line"), lot_number=kwargs["lot_number"])
        everything = batch_story(batch, viewer=request.user)
        choices = story_choices(everything)
        picked = {name: request.GET.get(name) or "" for name in ("app", "user", "kind")}
        allowed = {"app": {a for a, _n in choices["apps"]}, "user": {u for u, _n in choices["people"]},
                   "kind": {k for k, _n in choices["kinds"]}}
        picked = {k: v if v in allowed[k] else "" for k, v in picked.items()}
        entries = [e for e in everything if all(not v or e[k if k != "kind" else "type"] == v
                                                for k, v in picked.items())]
        export = request.GET.get("export")
        name = f"batch-story-{batch.lot_number}"
        if export == "csv":
            return exports.csv_response(name, EXPORT_HEADER, export_rows(entries))
        if export == "xlsx":
            return exports.xlsx_response(name, batch.lot_number, EXPORT_HEADER, export_rows(entries))
        if export == "pdf":
            pdf = story_pdf(_("Batch story"), _("Lot %(lot)s") % {"lot": batch.lot_number}, entries,
                            printed_by=printed_name(request.user),
                            facts=[(_("Product"), str(batch.product)), (_("Status"), batch.get_status_display())])
            return pdf_response(pdf, f"{name}.pdf")
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        ctx = self.get_context_data(**kwargs)
        ctx.update({"batch": batch, "title": _("Story of %(lot)s") % {"lot": batch.lot_number}, "page_obj": page,
                    "choices": choices, "picked": picked, "querystring": query.urlencode(),
                    "total": len(everything)})
        return self.render_to_response(ctx)


class BatchRecordPdfApi(APIView):
    """GET: the batch record (device history record) as PDF (production/record.py)."""

    renderer_classes = [JSONRenderer, PdfRenderer]
    required_permissions = "production.view_batch"
    schema = None

    def get(self, request, lot_number):
        from lims.signatures import printed_name
        from production.record import batch_record_pdf

        batch = get_object_or_404(Batch.objects.select_related("product", "line__clean_room", "bom"),
                                  lot_number=lot_number)
        pdf = batch_record_pdf(batch, printed_by=printed_name(request.user))
        return pdf_response(pdf, f"batch-record-{batch.lot_number}.pdf")


batch_record_pdf_view = login_or_api(BatchRecordPdfApi.as_view())
