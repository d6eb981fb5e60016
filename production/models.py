"""Production: products and their bills of materials, component (material) lots, clean rooms, lines, batches
with their steps, consumption and rejects, and the plant's capacity data (DESIGN.md, Batch and Material lot;
DOMAIN.md §1–2).

Every state change goes through ``production.services``; nothing here writes other records.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import BilingualName, TrackedModel
from lims.permissions import RestrictedQuerySet
from production.validators import validate_gtin14

# Scheduled hours per day of a line whose own schedule is not set, by kind (data: override in settings).
DEFAULT_LINE_HOURS = {"automated": Decimal("16"), "manual": Decimal("8")}


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the last day of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- Master data -----------------------------------------------------------------------------------------

class IvdrClass(models.TextChoices):
    A = "A", _("Class A")
    B = "B", _("Class B")
    C = "C", _("Class C")
    D = "D", _("Class D")


class Product(BilingualName, TrackedModel):
    """A kit as sold: one GTIN, a number of tests per kit, a shelf life and storage range, its IFU version and
    its IVDR class (which decides whether the CE marking carries the notified body's number)."""

    #: Classes whose conformity assessment involves a notified body: its number stands beside the CE marking
    #: (IVDR Art. 18(3), Annex I 20.2).
    NOTIFIED_BODY_CLASSES = ("B", "C", "D")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    gtin = models.CharField(_("GTIN"), max_length=14, unique=True, validators=[validate_gtin14],
                            help_text=_("GTIN-14: 14 digits with the GS1 check digit."))
    tests_per_kit = models.PositiveIntegerField(_("tests per kit"), default=1, validators=[MinValueValidator(1)])
    shelf_life_months = models.PositiveSmallIntegerField(
        _("shelf life (months)"), validators=[MinValueValidator(1), MaxValueValidator(120)])
    storage_min_c = models.DecimalField(_("storage minimum (°C)"), max_digits=5, decimal_places=1)
    storage_max_c = models.DecimalField(_("storage maximum (°C)"), max_digits=5, decimal_places=1)
    ifu_version = models.CharField(_("IFU version"), max_length=30, blank=True)
    basic_udi_di = models.CharField(
        _("Basic UDI-DI"), max_length=25, blank=True,
        help_text=_("The device model's key in EUDAMED and the technical documentation (IVDR Annex II; GS1 GMN, "
                    "up to 25 characters)."))
    ivdr_class = models.CharField(_("IVDR class"), max_length=1, choices=IvdrClass.choices, default=IvdrClass.D,
                                  help_text=_("EU IVDR 2017/746 Annex VIII (SARS-CoV-2 tests are class D)."))
    supported_shelf_life_months = models.PositiveSmallIntegerField(
        _("shelf life supported by stability (months)"), null=True, blank=True, editable=False,
        help_text=_("Set by QC from approved real-time stability studies (production.services."
                    "record_supported_shelf_life); empty when none."))
    project = models.ForeignKey("incubator.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="products", verbose_name=_("incubator project"))

    history = history()
    history_label_field = "code"
    history_children = ("boms", "process_steps")

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:product-detail", args=[self.pk])

    def clean(self):
        if self.storage_min_c is not None and self.storage_max_c is not None and \
                self.storage_min_c > self.storage_max_c:
            raise ValidationError({"storage_max_c": _("The maximum storage temperature is below the minimum.")})

    @property
    def needs_notified_body(self) -> bool:
        return self.ivdr_class in self.NOTIFIED_BODY_CLASSES
    def shelf_life_unsupported(self) -> bool:
        """The shelf-life setting exceeds what approved real-time stability data support (or none support it)."""
        return self.supported_shelf_life_months is None or self.shelf_life_months > self.supported_shelf_life_months

    def expiry_for(self, manufactured_on: date) -> date:
        return add_months(manufactured_on, self.shelf_life_months)


class Material(BilingualName, TrackedModel):
    """A component of a kit (DOMAIN.md §2): membrane, pads, conjugate, antibodies, cassette, pouch, buffer …"""

    class Category(models.TextChoices):
        MEMBRANE = "membrane", _("Membrane")
        PAD = "pad", _("Pad")
        BACKING = "backing", _("Backing card")
        REAGENT = "reagent", _("Reagent")
        ANTIBODY = "antibody", _("Antibody")
        PLASTIC = "plastic", _("Plastic part")
        PACKAGING = "packaging", _("Packaging")
        BUFFER = "buffer", _("Buffer")
        ACCESSORY = "accessory", _("Accessory")
        PRINTED = "printed", _("Printed matter")

    class Unit(models.TextChoices):
        PIECE = "pcs", _("pieces")
        SQUARE_CM = "cm2", _("cm²")
        MILLILITRE = "mL", _("mL")
        MICROLITRE = "uL", _("µL")
        MILLIGRAM = "mg", _("mg")
        MICROGRAM = "ug", _("µg")

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices)
    supplier_gtin = models.CharField(
        _("supplier's GTIN"), max_length=14, blank=True, default="", validators=[validate_gtin14],
        help_text=_("The GTIN-14 on the supplier's GS1 label (14 digits with the GS1 check digit): a scan of that "
                    "label (01 GTIN + 10 supplier lot) then finds the lot. Empty when the supplier prints none."))

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        constraints = [
            models.UniqueConstraint(fields=["supplier_gtin"], condition=~Q(supplier_gtin=""),
                                    name="production_material_unique_supplier_gtin"),
        ]

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:materiallot-list") + f"?material={self.pk}"


class BillOfMaterials(TrackedModel):
    """One version of a product's bill of materials; exactly one version per product is current."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="boms", verbose_name=_("product"))
    version_number = models.PositiveIntegerField(_("BOM version"))
    is_current = models.BooleanField(_("current"), default=True)
    effective_from = models.DateField(_("effective from"))
    notes = models.TextField(_("notes"), blank=True)

    history = history()
    history_children = ("lines",)

    class Meta:
        ordering = ["product__code", "-version_number"]
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = [
            models.UniqueConstraint(fields=["product", "version_number"], name="production_bom_unique_version"),
            models.UniqueConstraint(fields=["product"], condition=Q(is_current=True),
                                    name="production_bom_one_current"),
        ]

    def __str__(self):
        return _("%(product)s BOM v%(version)s") % {"product": self.product.code, "version": self.version_number}

    def get_absolute_url(self):
        return self.product.get_absolute_url()


class BomLine(TrackedModel):
    bom = models.ForeignKey(BillOfMaterials, on_delete=models.PROTECT, related_name="lines",
                            verbose_name=_("bill of materials"))
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="bom_lines",
                                 verbose_name=_("material"))
    quantity_per_kit = models.DecimalField(_("quantity per kit"), max_digits=12, decimal_places=4,
                                           validators=[MinValueValidator(Decimal("0.0001"))])

    history = history()

    class Meta:
        ordering = ["bom", "material__code"]
        verbose_name = _("BOM line")
        verbose_name_plural = _("BOM lines")
        constraints = [
            models.UniqueConstraint(fields=["bom", "material"], name="production_bomline_unique_material"),
            models.CheckConstraint(condition=Q(quantity_per_kit__gt=0), name="production_bomline_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.material.code} × {self.quantity_per_kit}"

    def get_absolute_url(self):
        return reverse("production:product-detail", args=[self.bom.product_id])


class ProcessStep(BilingualName, TrackedModel):
    """A step of a product's manufacturing process, in order (DOMAIN.md §2)."""

    # The lateral-flow process of DOMAIN.md §2, in order: (code, name).
    STANDARD = [
        ("dispensing", _("Test/control line dispensing and drying")),
        ("conjugate", _("Conjugate spraying and drying")),
        ("lamination", _("Lamination")),
        ("slitting", _("Slitting into strips")),
        ("assembly", _("Cassette assembly")),
        ("pouching", _("Pouching with desiccant")),
        ("buffer_filling", _("Buffer filling")),
        ("kitting", _("Kitting and labelling")),
    ]

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="process_steps",
                                verbose_name=_("product"))
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["product", "sequence"]
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        constraints = [
            models.UniqueConstraint(fields=["product", "sequence"], name="production_step_unique_sequence"),
            models.UniqueConstraint(fields=["product", "code"], name="production_step_unique_code"),
        ]

    def __str__(self):
        return f"{self.sequence}. {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:product-detail", args=[self.product_id])


class RejectReason(BilingualName, TrackedModel):
    """Why units were rejected during manufacture (data, not code)."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("reject reason")
        verbose_name_plural = _("reject reasons")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:rejectreason-list")


#: The largest pilot batch unless the plant says otherwise (Plant.pilot_batch_max_kits): a manual line's week.
PILOT_BATCH_MAX_KITS = 5000


class Plant(TrackedModel):
    """The plant's capacity data: nameplate output and working days (DOMAIN.md §1: about 3 million tests/month)."""

    name = models.CharField(_("name"), max_length=200)
    nameplate_tests_per_month = models.PositiveIntegerField(_("nameplate (tests per month)"))
    working_days_per_week = models.PositiveSmallIntegerField(
        _("working days per week"), default=6, validators=[MinValueValidator(1), MaxValueValidator(7)])
    pilot_batch_max_kits = models.PositiveIntegerField(
        _("largest pilot batch (kits)"), default=PILOT_BATCH_MAX_KITS, validators=[MinValueValidator(1)],
        help_text=_("A pilot lot is a project's first, small lot on a manual line: at most this many kits."))

    history = history()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("plant")
        verbose_name_plural = _("plants")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("production:capacity")

    @classmethod
    def current(cls):
        """The plant row (the first); an unsaved plant with no nameplate when none was set up."""
        return cls.objects.order_by("pk").first() or cls(name="", nameplate_tests_per_month=0)

    @classmethod
    def pilot_batch_limit(cls) -> int:
        return cls.current().pilot_batch_max_kits


class CleanRoom(BilingualName, TrackedModel):
    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    iso_class = models.PositiveSmallIntegerField(_("ISO 14644-1 class"),
                                                 validators=[MinValueValidator(1), MaxValueValidator(9)])
    area_m2 = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=1,
                                  validators=[MinValueValidator(Decimal("0.1"))])

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("clean room")
        verbose_name_plural = _("clean rooms")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:line-list") + f"?clean_room={self.pk}"


class Line(BilingualName, TrackedModel):
    class Kind(models.TextChoices):
        AUTOMATED = "automated", _("Automated")
        MANUAL = "manual", _("Manual")

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    clean_room = models.ForeignKey(CleanRoom, on_delete=models.PROTECT, related_name="lines",
                                   verbose_name=_("clean room"))
    rated_units_per_hour = models.PositiveIntegerField(_("rated kits per hour"), validators=[MinValueValidator(1)])
    scheduled_hours_per_day = models.DecimalField(
        _("scheduled hours per day"), max_digits=4, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("24"))],
        help_text=_("Empty: the plant default for the kind of line (16 h automated, 8 h manual)."))
    active = models.BooleanField(_("active"), default=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("production:batch-list") + f"?line={self.pk}"

    @property
    def hours_per_day(self) -> Decimal:
        if self.scheduled_hours_per_day is not None:
            return self.scheduled_hours_per_day
        defaults = getattr(settings, "LIMS_DEFAULT_LINE_HOURS", DEFAULT_LINE_HOURS)
        return Decimal(str(defaults.get(self.kind, 8)))

    @property
    def daily_capacity(self) -> int:
        """Rated kits per scheduled day (rated units/hour × scheduled hours)."""
        return int(self.rated_units_per_hour * self.hours_per_day)


# --- Material lots ---------------------------------------------------------------------------------------

class MaterialLotQuerySet(RestrictedQuerySet):
    def usable(self, on: date | None = None):
        """Approved, not expired on ``on`` (default today), with something left."""
        on = on or timezone.localdate()
        return self.filter(status=MaterialLot.Status.APPROVED, expiry_date__gte=on, quantity_remaining__gt=0)

    def expiring_within(self, days: int, on: date | None = None):
        on = on or timezone.localdate()
        return self.filter(status__in=[MaterialLot.Status.QUARANTINE, MaterialLot.Status.APPROVED],
                           quantity_remaining__gt=0, expiry_date__gte=on, expiry_date__lte=on + timedelta(days=days))


class MaterialLot(TrackedModel):
    """A supplier's lot of a component: ``quarantine → approved | rejected`` (incoming QC)."""

    class Status(models.TextChoices):
        QUARANTINE = "quarantine", _("Quarantine")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="lots", verbose_name=_("material"))
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    supplier_lot = models.CharField(_("supplier lot"), max_length=60)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    expiry_date = models.DateField(_("expiry date"))
    quantity_received = models.DecimalField(_("quantity received"), max_digits=14, decimal_places=3,
                                            validators=[MinValueValidator(0)])
    quantity_remaining = models.DecimalField(_("quantity remaining"), max_digits=14, decimal_places=3,
                                             validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUARANTINE,
                              editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"), editable=False)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, editable=False)
    decision_reason = models.TextField(_("reason for the decision"), blank=True, editable=False)

    objects = MaterialLotQuerySet.as_manager()

    history = history()
    history_label_field = "supplier_lot"

    class Meta:
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["received_on", "id"], name="materiallot_recv_list")]
        verbose_name = _("material lot")
        verbose_name_plural = _("material lots")
        permissions = [("approve_materiallot", _("Can approve or reject material lots (incoming QC)"))]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_remaining__gte=0),
                                   name="production_materiallot_remaining_not_negative"),
            models.CheckConstraint(condition=Q(quantity_remaining__lte=models.F("quantity_received")),
                                   name="production_materiallot_remaining_lte_received"),
        ]

    def __str__(self):
        return f"{self.material.code} · {self.supplier_lot}"

    def get_absolute_url(self):
        return reverse("production:materiallot-detail", args=[self.pk])

    INTERNAL_LOT_PREFIX = "ML"

    @property
    def internal_lot(self) -> str:
        """The plant's own lot code of this receipt, printed in AI (10) of its receiving label: ``ML000123``."""
        return f"{self.INTERNAL_LOT_PREFIX}{self.pk:06d}"

    @classmethod
    def pk_from_internal_lot(cls, code: str) -> int | None:
        """The primary key an internal lot code names, or None when ``code`` is not one."""
        code = (code or "").strip().upper()
        digits = code[len(cls.INTERNAL_LOT_PREFIX):]
        if not code.startswith(cls.INTERNAL_LOT_PREFIX) or not digits.isdigit() or len(digits) > 12:
            return None
        return int(digits)

    def is_expired(self, on: date | None = None) -> bool:
        """A lot may be used up to and including its expiry date."""
        return self.expiry_date < (on or timezone.localdate())

    def requires_reason_for_edit(self) -> bool:
        return self.status != self.Status.QUARANTINE or super().requires_reason_for_edit()


# --- Batches ---------------------------------------------------------------------------------------------

class LotSequence(models.Model):
    """The last sequence number used for one lot-number prefix (e.g. ``SC260315A1``). Locked with
    ``select_for_update`` while a batch is numbered, so concurrent creators never get the same number. A technical
    counter, not a record: the lot numbers it hands out are on the (tracked) batches."""

    prefix = models.CharField(max_length=60, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("lot number sequence")
        verbose_name_plural = _("lot number sequences")

    def __str__(self):
        return f"{self.prefix} → {self.last_value}"


def yield_pct(numerator: int, denominator: int) -> float | None:
    """numerator / denominator in percent, one decimal (for display); None without a denominator."""
    return round(100 * numerator / denominator, 1) if denominator else None


class BatchQuerySet(RestrictedQuerySet):
    def with_related(self):
        return self.select_related("product", "line", "bom")

    def with_yield(self):
        """Annotate ``made_yield`` (made / planned, %) and ``released_yield`` (released / made, %; null before
        anything is made), so lists sort by them in the database."""
        made = Case(When(quantity_made__gt=0, then=F("quantity_made") * 100.0 / F("planned_quantity")),
                    default=None, output_field=models.FloatField())
        released = Case(When(quantity_made__gt=0, then=F("quantity_released") * 100.0 / F("quantity_made")),
                        default=None, output_field=models.FloatField())
        return self.annotate(made_yield=made, released_yield=released)


class Batch(TrackedModel):
    """A batch (lot) of kits: ``planned → in_production → awaiting_qc → released | rejected | quarantined``;
    ``quarantined → released | rejected``. Release, rejection and quarantine belong to QA (qc app)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PRODUCTION = "in_production", _("In production")
        AWAITING_QC = "awaiting_qc", _("Awaiting QC")
        RELEASED = "released", _("Released")
        REJECTED = "rejected", _("Rejected")
        QUARANTINED = "quarantined", _("Quarantined")

    DISPOSED = (Status.RELEASED, Status.REJECTED, Status.QUARANTINED)

    class Kind(models.TextChoices):
        COMMERCIAL = "commercial", _("Commercial")
        PILOT = "pilot", _("Pilot manufacture")

    lot_number = models.CharField(_("lot number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COMMERCIAL,
                            help_text=_("Pilot lots are a project's first lots, made on a manual line under the "
                                        "same record and release rules; they ship only where the product's "
                                        "certifications allow it."))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="batches", verbose_name=_("product"))
    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="batches", verbose_name=_("line"))
    bom = models.ForeignKey(BillOfMaterials, on_delete=models.PROTECT, null=True, blank=True, related_name="batches",
                            verbose_name=_("bill of materials"), editable=False)
    planned_quantity = models.PositiveIntegerField(_("planned quantity (kits)"), validators=[MinValueValidator(1)])
    manufactured_on = models.DateField(_("manufactured on"))
    expiry_date = models.DateField(_("expiry date"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED,
                              editable=False, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False, db_index=True)
    quantity_made = models.PositiveIntegerField(_("quantity made"), default=0, editable=False)
    quantity_rejected = models.PositiveIntegerField(_("quantity rejected"), default=0, editable=False)
    quantity_released = models.PositiveIntegerField(_("quantity released"), default=0, editable=False)
    quantity_shipped = models.PositiveIntegerField(_("quantity shipped"), default=0, editable=False)

    objects = BatchQuerySet.as_manager()

    history = history()
    history_label_field = "lot_number"
    history_children = ("steps", "rejects", "consumptions")

    class Meta:
        ordering = ["-manufactured_on", "-lot_number"]
        # The list's order, alone and under its most used filter (status: a queue of one state), so that a filtered
        # first page walks the index in order instead of sorting every batch of that state.
        indexes = [models.Index(fields=["manufactured_on", "lot_number"], name="batch_made_list"),
                   models.Index(fields=["status", "manufactured_on", "lot_number"], name="batch_status_made_list")]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        permissions = [("run_batch", _("Can run batches (start, log steps, consume lots, complete)"))]
        constraints = [
            models.CheckConstraint(condition=Q(quantity_released__lte=models.F("quantity_made")),
                                   name="production_batch_released_lte_made"),
            models.CheckConstraint(condition=Q(quantity_shipped__lte=models.F("quantity_released")),
                                   name="production_batch_shipped_lte_released"),
        ]

    def __str__(self):
        return self.lot_number

    def get_absolute_url(self):
        return reverse("production:batch-detail", args=[self.lot_number])

    def requires_reason_for_edit(self) -> bool:
        return self.status in self.DISPOSED or super().requires_reason_for_edit()

    @property
    def yield_pct(self) -> float | None:
        """Made / planned, % (None until the batch is completed)."""
        if self.status in (self.Status.PLANNED, self.Status.IN_PRODUCTION):
            return None
        return yield_pct(self.quantity_made, self.planned_quantity)

    @property
    def release_yield_pct(self) -> float | None:
        """Released / made, % (None until QA disposed of the batch)."""
        if self.status not in self.DISPOSED:
            return None
        return yield_pct(self.quantity_released, self.quantity_made)

    @property
    def label_url(self) -> str:
        """The batch's label print-jobs collection (API.md): GET lists the jobs, POST creates one."""
        return f"/api/v1/production/labels/{quote(self.lot_number, safe='')}/print-jobs/"


class BatchStep(TrackedModel):
    """One step of a batch's process as performed: who, on which equipment, when, in what room conditions."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="steps", verbose_name=_("batch"))
    step = models.ForeignKey(ProcessStep, on_delete=models.PROTECT, related_name="+", verbose_name=_("step"))
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("operator"))
    equipment = models.CharField(_("equipment"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"))
    room_temperature_c = models.DecimalField(_("room temperature (°C)"), max_digits=4, decimal_places=1, null=True,
                                             blank=True)
    room_humidity_pct = models.DecimalField(_("room humidity (% RH)"), max_digits=4, decimal_places=1, null=True,
                                            blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    notes = models.TextField(_("notes"), blank=True)

    history = history()

    class Meta:
        ordering = ["batch", "started_at", "pk"]
        verbose_name = _("batch step")
        verbose_name_plural = _("batch steps")
        constraints = [
            models.CheckConstraint(condition=Q(ended_at__gte=models.F("started_at")),
                                   name="production_batchstep_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.batch.lot_number} · {self.step.name}"

    def get_absolute_url(self):
        return self.batch.get_absolute_url()


class BatchReject(TrackedModel):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="rejects", verbose_name=_("batch"))
    reason = models.ForeignKey(RejectReason, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("reject reason"))
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])

    history = history()

    class Meta:
        ordering = ["batch", "reason__code"]
        verbose_name = _("batch reject")
        verbose_name_plural = _("batch rejects")
        constraints = [
            models.UniqueConstraint(fields=["batch", "reason"], name="production_batchreject_unique_reason"),
        ]

    def __str__(self):
        return f"{self.batch.lot_number} · {self.reason.code} × {self.quantity}"

    def get_absolute_url(self):
        return self.batch.get_absolute_url()


class Consumption(TrackedModel):
    """A quantity of a material lot used by a batch: the genealogy link, both directions."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="consumptions", verbose_name=_("batch"))
    material_lot = models.ForeignKey(MaterialLot, on_delete=models.PROTECT, related_name="consumptions",
                                     verbose_name=_("material lot"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    consumed_at = models.DateTimeField(_("consumed at"), default=timezone.now)
    consumed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("consumed by"))

    history = history()

    class Meta:
        ordering = ["batch", "consumed_at", "pk"]
        verbose_name = _("consumption")
        verbose_name_plural = _("consumptions")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="production_consumption_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.batch.lot_number} ← {self.material_lot} × {self.quantity}"

    def get_absolute_url(self):
        return self.batch.get_absolute_url()
