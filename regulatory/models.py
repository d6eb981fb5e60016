"""Regulatory and export (DESIGN.md, Certification, Eligibility, Shipment; DOMAIN.md §7): markets with their
authority and minimum remaining shelf life, the certification kinds, the versioned rule set of each market (which
kinds a shipment needs — data with its source, never code), the certification register and shipments.

Every state change goes through ``regulatory.services``."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lims.audit import history
from lims.models import BilingualName, TrackedModel


class Market(BilingualName, TrackedModel):
    """A destination market: ISO 3166-1 alpha-2 code, or ``EU`` for the Union."""

    code = models.CharField(_("code"), max_length=2, unique=True,
                            validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters (ISO 3166-1 alpha-2 "
                                                                         "or EU)."))])
    name = models.CharField(_("name"), max_length=100)
    authority = models.CharField(_("authority"), max_length=200, blank=True)
    min_remaining_shelf_life_days = models.PositiveIntegerField(_("minimum remaining shelf life (days)"), default=0)
    label_languages = models.CharField(_("label languages"), max_length=100, blank=True,
                                       help_text=_("Language codes separated by commas, e.g. en,de,fr."))

    history = history()
    history_label_field = "code"
    history_children = ("rules",)

    class Meta:
        ordering = ["code"]
        verbose_name = _("market")
        verbose_name_plural = _("markets")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    def get_absolute_url(self):
        return reverse("regulatory:market-list") + f"?q={self.code}"

    def rule_on(self, on_date):
        """The rule set in force on ``on_date``: the latest ``valid_from`` on or before it."""
        return self.rules.filter(valid_from__lte=on_date).order_by("-valid_from", "-version_number").first()


class CertificationKind(TrackedModel):
    """A kind of certification a market may require (CE/IVDR certificate, NMPA registration, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    history = history()
    history_label_field = "code"

    class Meta:
        ordering = ["code"]
        verbose_name = _("certification kind")
        verbose_name_plural = _("certification kinds")

    def __str__(self):
        return str(self.label)

    def get_absolute_url(self):
        return reverse("regulatory:certification-list") + f"?kind={self.pk}"

    @property
    def label(self):
        """The kind's name in the reader's language (regulatory.kinds), else its stored name."""
        from regulatory.kinds import kind_label

        return kind_label(self.code, self.name)


class MarketRule(TrackedModel):
    """One version of a market's rule set: the certification kinds (codes) a shipment needs from
    ``valid_from``, with the regulation it comes from."""

    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="rules", verbose_name=_("market"))
    version_number = models.PositiveIntegerField(_("rule version"), default=1)
    valid_from = models.DateField(_("valid from"))
    required_kinds = models.JSONField(_("required certification kinds"), default=list, blank=True,
                                      help_text=_("Codes of the certification kinds a shipment needs."))
    source = models.CharField(_("source"), max_length=300, help_text=_("The regulation or guidance cited."))
    notes = models.TextField(_("notes"), blank=True)
    # Performance evidence the market asks for, as data: fractions 0–1, what they are compared with (the point
    # estimate or the lower bound of the study's 95 % confidence interval) and the document they come from
    # (DOMAIN.md §7). Comparisons use unrounded values. Empty thresholds: the rule asks for none.
    class Compares(models.TextChoices):
        POINT = "point", _("point estimate")
        # xgettext:no-python-format
        LOWER_BOUND = "lower_bound", _("lower bound of the 95 % confidence interval")

    min_sensitivity = models.DecimalField(_("minimum sensitivity"), max_digits=5, decimal_places=4, null=True,
                                          blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    min_specificity = models.DecimalField(_("minimum specificity"), max_digits=5, decimal_places=4, null=True,
                                          blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)])
    criteria_compare = models.CharField(_("thresholds compare"), max_length=12, choices=Compares.choices,
                                        default=Compares.LOWER_BOUND)
    criteria_source = models.CharField(_("document the thresholds come from"), max_length=400, blank=True)
    # IVDR Annex IX §4.13: lots of these IVDR classes need the notified body's batch verification before they are
    # placed on this market (data: "D" for the EU; empty elsewhere).
    batch_verification_classes = models.CharField(
        _("IVDR classes needing batch verification"), max_length=10, blank=True,
        help_text=_("IVDR classes whose lots need notified-body batch verification before shipment, e.g. D."))

    history = history()

    class Meta:
        ordering = ["market__code", "-valid_from"]
        verbose_name = _("market rule")
        verbose_name_plural = _("market rules")
        constraints = [models.UniqueConstraint(fields=["market", "version_number"],
                                               name="regulatory_rule_unique_version")]

    def __str__(self):
        return f"{self.market.code} v{self.version_number} ({self.valid_from})"

    def get_absolute_url(self):
        return reverse("regulatory:market-list") + f"?q={self.market.code}"

    def clean(self):
        if not isinstance(self.required_kinds, list) or not all(isinstance(k, str) for k in self.required_kinds):
            raise ValidationError({"required_kinds": [_("A list of certification kind codes.")]})
        known = set(CertificationKind.objects.filter(code__in=self.required_kinds).values_list("code", flat=True))
        unknown = [k for k in self.required_kinds if k not in known]
        if unknown:
            raise ValidationError({"required_kinds": [_("Unknown certification kinds: %(k)s.")
                                                      % {"k": ", ".join(unknown)}]})
        if (self.min_sensitivity is not None or self.min_specificity is not None) and not self.criteria_source.strip():
            raise ValidationError({"criteria_source": [
                _("Cite the document the performance thresholds come from.")]})

    def required_kind_labels(self) -> str:
        from regulatory.kinds import kind_label

        return ", ".join(str(kind_label(code)) for code in self.required_kinds)

    def kinds(self):
        by_code = {k.code: k for k in CertificationKind.objects.filter(code__in=self.required_kinds)}
        return [by_code[c] for c in self.required_kinds if c in by_code]


class Certification(TrackedModel):
    """A product's certification for a market: ``pending → active → expired | withdrawn | suspended``
    (suspended → active when reinstated)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SUSPENDED = "suspended", _("Suspended")

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="certifications",
                                verbose_name=_("product"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="certifications",
                               verbose_name=_("market"))
    kind = models.ForeignKey(CertificationKind, on_delete=models.PROTECT, related_name="certifications",
                             verbose_name=_("kind"))
    number = models.CharField(_("number"), max_length=100)
    issuing_body = models.CharField(_("issuing body"), max_length=200, blank=True)
    jrc_device_id = models.CharField(_("JRC device id"), max_length=100, blank=True,
                                     help_text=_("EU common list entry: the JRC device identifier."))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    grace_until = models.DateField(
        _("grace period until"), null=True, blank=True,
        help_text=_("A transition period after the end of validity during which the entry still counts (e.g. a "
                    "test removed from the EU common list); shipments in it carry a warning."))
    covers_pilot_lots = models.BooleanField(
        _("covers pilot lots"), default=False,
        help_text=_("The certification explicitly covers lots of pilot manufacture; without it pilot lots may "
                    "not ship to this market."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING,
                              editable=False, db_index=True)
    status_reason = models.TextField(_("reason for the status"), blank=True, editable=False)

    history = history()
    history_label_field = "number"

    class Meta:
        ordering = ["product__code", "market__code", "kind__code", "-valid_from"]
        indexes = [models.Index(fields=["valid_until", "id"], name="cert_until_list")]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        permissions = [("decide_certification", _("Can activate, suspend and withdraw certifications"))]

    def __str__(self):
        return f"{self.kind.label} {self.number}"

    def get_absolute_url(self):
        return reverse("regulatory:certification-detail", args=[self.pk])

    def clean(self):
        if self.valid_until and self.valid_from and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": [_("The end of validity is before its start.")]})
        if self.grace_until and (self.valid_until is None or self.grace_until < self.valid_until):
            raise ValidationError({"grace_until": [_("A grace period follows the end of validity: give a valid "
                                                     "until date on or before it.")]})

    def covers(self, on_date) -> bool:
        end = self.grace_until or self.valid_until
        return self.valid_from <= on_date and (end is None or on_date <= end)

    def in_grace(self, on_date) -> bool:
        return bool(self.grace_until and self.valid_until and self.valid_until < on_date <= self.grace_until)

    @property
    def kind_label(self):
        return self.kind.label

    def days_left(self, on_date=None):
        if self.valid_until is None:
            return None
        return (self.valid_until - (on_date or timezone.localdate())).days


class Shipment(TrackedModel):
    """Kits of a released lot shipped to a market; refused unless the lot is eligible on ``shipped_on`` and the
    quantity is released and not yet shipped."""

    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="shipments",
                              verbose_name=_("batch"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("market"))
    quantity = models.PositiveIntegerField(_("quantity (kits)"), validators=[MinValueValidator(1)])
    shipped_on = models.DateField(_("shipped on"))
    consignee = models.CharField(_("consignee"), max_length=200)
    export_certificate_number = models.CharField(_("export certificate number"), max_length=100, blank=True)
    shipped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("shipped by"), editable=False)
    # The case serials shipped, compressed into ranges [[first, last], …] (the rows are ShipmentSerial).
    serial_ranges = models.JSONField(_("case serial ranges"), default=list, blank=True, editable=False)

    history = history()
    history_children = ("serials",)

    class Meta:
        ordering = ["-shipped_on", "-pk"]
        indexes = [models.Index(fields=["shipped_on", "id"], name="shipment_list")]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                              name="regulatory_shipment_quantity_positive")]

    def __str__(self):
        return f"{self.batch.lot_number} → {self.market.code} ({self.quantity})"

    def get_absolute_url(self):
        return reverse("regulatory:shipment-detail", args=[self.pk])

    @property
    def serial_ranges_text(self) -> str:
        return ", ".join(a if a == b else f"{a}–{b}" for a, b in self.serial_ranges)


class ShipmentSerial(TrackedModel):
    """One case serial (AI 21) of a lot that left in a shipment: a serial ships once (unique per lot)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="serials",
                                 verbose_name=_("shipment"))
    batch = models.ForeignKey("production.Batch", on_delete=models.PROTECT, related_name="shipped_serials",
                              verbose_name=_("batch"))
    serial = models.CharField(_("case serial"), max_length=20)

    history = history()
    history_label_field = "serial"

    class Meta:
        ordering = ["shipment", "serial"]
        verbose_name = _("shipped case serial")
        verbose_name_plural = _("shipped case serials")
        constraints = [models.UniqueConstraint(fields=["batch", "serial"], name="regulatory_serial_ships_once")]

    def __str__(self):
        return f"{self.batch.lot_number} #{self.serial}"

    def get_absolute_url(self):
        return self.shipment.get_absolute_url()


class BatchVerification(TrackedModel):
    """IVDR Annex IX §4.13 (class D): after its own release the manufacturer sends the notified body the lot's
    test reports and, where a reference laboratory is designated, samples; the lot may be placed on the market
    once the body confirms, or when it has not objected within ``objection_days`` of the later sent date.
    ``pending → confirmed | objected`` (the decision is recorded with a signature)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        OBJECTED = "objected", _("Objected")

    batch = models.OneToOneField("production.Batch", on_delete=models.PROTECT, related_name="batch_verification",
                                 verbose_name=_("batch"))
    notified_body = models.CharField(_("notified body"), max_length=200, blank=True)
    reports_sent_on = models.DateField(_("test reports sent on"), null=True, blank=True)
    samples_sent_on = models.DateField(_("samples sent on"), null=True, blank=True)
    samples_required = models.BooleanField(
        _("samples required"), default=True,
        help_text=_("A reference laboratory is designated: samples are sent as well as the test reports."))
    objection_days = models.PositiveSmallIntegerField(
        _("days the notified body has to object"), default=30, validators=[MinValueValidator(1)],
        help_text=_("IVDR 2017/746 Annex IX §4.13: 30 days from receipt."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING,
                              editable=False, db_index=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    objection_reason = models.TextField(_("reason of the objection"), blank=True, editable=False)

    history = history()
    history_children = ("documents",)

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("batch verification")
        verbose_name_plural = _("batch verifications")
        permissions = [("decide_batchverification", _("Can record the notified body's batch verification "
                                                      "decision"))]

    def __str__(self):
        return _("Batch verification of %(lot)s") % {"lot": self.batch.lot_number}

    def get_absolute_url(self):
        return reverse("regulatory:verification-detail", args=[self.pk])

    def clean(self):
        for name in ("reports_sent_on", "samples_sent_on"):
            value = getattr(self, name)
            if value and value > timezone.localdate():
                raise ValidationError({name: [_("This date is in the future.")]})

    def clock_start(self):
        """The later sent date, once everything the body needs has been sent (None before)."""
        if self.reports_sent_on is None or (self.samples_required and self.samples_sent_on is None):
            return None
        return max(d for d in (self.reports_sent_on, self.samples_sent_on) if d is not None)

    def clock_ends_on(self):
        start = self.clock_start()
        return start + timedelta(days=self.objection_days) if start else None

    def days_left(self, on_date=None):
        end = self.clock_ends_on()
        return None if end is None else max(0, (end - (on_date or timezone.localdate())).days)

    def allows(self, on_date) -> bool:
        """May the lot be placed on the market on ``on_date``?"""
        if self.status == self.Status.CONFIRMED:
            return self.decided_on is None or self.decided_on <= on_date
        if self.status == self.Status.OBJECTED:
            return False
        end = self.clock_ends_on()
        return end is not None and on_date >= end


def verification_document_path(instance, filename):
    return f"regulatory/batch-verifications/{instance.verification_id}/{filename}"


class BatchVerificationDocument(TrackedModel):
    """A document of a batch verification (test reports sent, sample receipt, the body's letter), kept with its
    SHA-256; the file is stored under a safe name, the original name is shown whole."""

    class Kind(models.TextChoices):
        TEST_REPORTS = "test_reports", _("Test reports sent")
        SAMPLES = "samples", _("Samples dispatch / receipt")
        DECISION = "decision", _("Notified body's decision")
        OTHER = "other", _("Other")

    verification = models.ForeignKey(BatchVerification, on_delete=models.PROTECT, related_name="documents",
                                     verbose_name=_("batch verification"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEST_REPORTS)
    file = models.FileField(_("file"), upload_to=verification_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    history = history()
    history_label_field = "original_name"

    class Meta:
        ordering = ["verification", "uploaded_at", "pk"]
        verbose_name = _("batch verification document")
        verbose_name_plural = _("batch verification documents")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return self.verification.get_absolute_url()


class ChecklistTemplate(TrackedModel):
    """The checklist of a dossier purpose (IVDR Annex II headings, EU common list items, …) — data."""

    purpose = models.SlugField(_("purpose"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)

    history = history()
    history_label_field = "purpose"
    history_children = ("items",)

    class Meta:
        ordering = ["purpose"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("regulatory:dossier-list")


class ChecklistItem(TrackedModel):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="items",
                                 verbose_name=_("checklist template"))
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    history = history()

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self):
        return f"{self.position}. {self.title}"

    def get_absolute_url(self):
        return reverse("regulatory:dossier-list")


class Dossier(TrackedModel):
    """Product × market × purpose: ``draft → ready → submitted → approved | rejected`` (submission signed)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    product = models.ForeignKey("production.Product", on_delete=models.PROTECT, related_name="dossiers",
                                verbose_name=_("product"))
    market = models.ForeignKey(Market, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("market"))
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="dossiers",
                                 verbose_name=_("checklist template"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
                              editable=False)

    history = history()
    history_children = ("items", "studies")

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def __str__(self):
        return f"{self.product.code} · {self.market.code} · {self.template.name}"  # the purpose by its name

    def get_absolute_url(self):
        return reverse("regulatory:dossier-detail", args=[self.pk])

    def completeness(self):
        """(percent of required items with a current document, [gap titles])."""
        items = [i for i in self.items.all() if i.required]
        gaps = [i.title for i in items if not i.current_document()]
        percent = 100 if not items else round(100 * (len(items) - len(gaps)) / len(items))
        return percent, gaps


class DossierStudy(TrackedModel):
    """A performance study (qc) cited as evidence in a dossier; judged against the market rule's thresholds
    (regulatory.evidence)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="studies", verbose_name=_("dossier"))
    study = models.ForeignKey("qc.PerformanceStudy", on_delete=models.PROTECT, related_name="dossier_links",
                              verbose_name=_("performance study"))

    history = history()

    class Meta:
        ordering = ["dossier", "pk"]
        verbose_name = _("dossier study")
        verbose_name_plural = _("dossier studies")
        constraints = [models.UniqueConstraint(fields=["dossier", "study"], name="regulatory_dossier_study_once")]

    def __str__(self):
        return f"{self.dossier} · {self.study}"

    def get_absolute_url(self):
        return self.dossier.get_absolute_url()


class DossierItem(TrackedModel):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="items", verbose_name=_("dossier"))
    position = models.PositiveIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=300)
    required = models.BooleanField(_("required"), default=True)

    history = history()

    class Meta:
        ordering = ["dossier", "position"]
        verbose_name = _("dossier item")
        verbose_name_plural = _("dossier items")

    def __str__(self):
        return f"{self.position}. {self.title}"

    def get_absolute_url(self):
        return self.dossier.get_absolute_url()

    def current_document(self):
        docs = [d for d in self.documents.all() if not d.removed]
        return max(docs, key=lambda d: d.version_number) if docs else None


def document_path(instance, filename):
    return f"regulatory/dossiers/{instance.item.dossier_id}/{instance.item.position}/v{instance.version_number}/" \
           f"{filename}"


class Document(TrackedModel):
    """One uploaded version of a checklist item's document; a new version is a new row and a new file."""

    item = models.ForeignKey(DossierItem, on_delete=models.PROTECT, related_name="documents",
                             verbose_name=_("dossier item"))
    version_number = models.PositiveIntegerField(_("document version"))
    file = models.FileField(_("file"), upload_to=document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"), editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)
    removed = models.BooleanField(_("removed"), default=False, editable=False)

    history = history()
    history_label_field = "original_name"

    class Meta:
        ordering = ["item", "-version_number"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [models.UniqueConstraint(fields=["item", "version_number"],
                                               name="regulatory_document_unique_version")]

    def __str__(self):
        return f"{self.original_name} v{self.version_number}"

    def get_absolute_url(self):
        return self.item.get_absolute_url()
