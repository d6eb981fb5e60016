"""Demo markets (EU, TR, MY, TH, CN) with their versioned rule sets and cited sources, the certification kinds,
certifications of the demo products (one expiring within 30 days, one suspended, one expired, one market
missing), IVDR batch verifications of class D lots in every state (not yet sent, clock running, period ended
without objection, confirmed, objected), and shipments of released lots with their case serials — all through the
services, idempotently."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record, update_record
from production.models import Batch, Product
from regulatory import services
from regulatory.eligibility import eligibility
from regulatory.models import Certification, CertificationKind, Market, MarketRule, Shipment

KINDS = [
    ("ce_declaration", "EU declaration of conformity (CE)"),
    ("ivdr_certificate", "IVDR certificate of a notified body"),
    ("eu_common_list", "EU common list of rapid antigen tests (HSC)"),
    ("nmpa_registration", "NMPA registration certificate"),
    ("export_whitelist", "MOFCOM export white-list entry"),
    ("titck_approval", "TİTCK import approval"),
    ("uts_registration", "ÜTS product registration (Türkiye)"),
    ("mda_registration", "MDA medical device registration (Malaysia)"),
    ("thai_fda_notification", "Thai FDA notification / licence"),
]

MARKET_NAMES_ZH = {"EU": "欧盟", "TR": "土耳其", "MY": "马来西亚", "TH": "泰国", "CN": "中国（出口）"}
MARKETS = [
    # code, name, authority, minimum remaining shelf life, languages, [(valid_from, kinds, source)]
    ("EU", "European Union", "Notified bodies / European Commission", 180, "en,de,fr,it,es", [
        ("2022-05-26", ["ce_declaration", "ivdr_certificate"],
         "Regulation (EU) 2017/746 (IVDR), Art. 17 and 48"),
        ("2023-01-01", ["ce_declaration", "ivdr_certificate", "eu_common_list"],
         "IVDR 2017/746; HSC common list of COVID-19 rapid antigen tests"),
    ]),
    ("TR", "Türkiye", "TİTCK (Turkish Medicines and Medical Devices Agency)", 180, "tr,en", [
        ("2021-05-26", ["ce_declaration", "titck_approval", "uts_registration"],
         "TİTCK In Vitro Diagnostic Medical Devices Regulation; ÜTS registration"),
    ]),
    ("MY", "Malaysia", "Medical Device Authority (MDA)", 365, "ms,en", [
        ("2016-07-01", ["mda_registration"], "Medical Device Act 2012 (Act 737), s. 5"),
    ]),
    ("TH", "Thailand", "Thai Food and Drug Administration", 365, "th,en", [
        ("2021-02-15", ["thai_fda_notification"], "Thai FDA Medical Device Act B.E. 2551 (2008), amended 2019"),
    ]),
    ("CN", "China (export)", "MOFCOM / NMPA / GACC", 180, "zh,en", [
        ("2020-04-01", ["nmpa_registration", "export_whitelist"],
         "MOFCOM, GACC and NMPA joint notice No. 5 (2020); MOFCOM notice of 25 April 2020"),
    ]),
]


# Performance thresholds of a rule version as data, with the document they come from and what they compare
# (DOMAIN.md §7: the EU common-list criteria are point estimates).
EU_COMMON_LIST = ("EU Health Security Committee, common list of COVID-19 rapid antigen tests (first agreed "
                  "17 February 2021; Council Recommendation 2021/C 24/01): sensitivity ≥ 90 %, specificity ≥ 97 %, "
                  "point estimates")
EVIDENCE = {("EU", 2): {"min_sensitivity": Decimal("0.90"), "min_specificity": Decimal("0.97"),
                        "criteria_compare": "point", "criteria_source": EU_COMMON_LIST}}
# IVDR 2017/746 Annex IX §4.13: class D lots need the notified body's batch verification before the EU market.
BATCH_VERIFICATION = {"EU": "D"}


def _markets(user):
    for code, name in KINDS:
        if not CertificationKind.objects.filter(code=code).exists():
            create_record(CertificationKind, {"code": code, "name": name}, user=user, reason="demo data")
    for code, name, authority, days, languages, rules in MARKETS:
        market = Market.objects.filter(code=code).first() or create_record(
            Market, {"code": code, "name": name, "name_zh": MARKET_NAMES_ZH.get(code, ""), "authority": authority,
                     "min_remaining_shelf_life_days": days, "label_languages": languages}, user=user,
            reason="demo data")
        for number, (valid_from, kinds, source) in enumerate(rules, start=1):
            rule = market.rules.filter(version_number=number).first()
            criteria = {**EVIDENCE.get((code, number), {}),
                        **({"batch_verification_classes": BATCH_VERIFICATION[code]} if code in BATCH_VERIFICATION
                           else {})}
            if rule is not None and code in BATCH_VERIFICATION and \
                    rule.batch_verification_classes != BATCH_VERIFICATION[code]:
                update_record(rule, {"batch_verification_classes": BATCH_VERIFICATION[code]}, user=user,
                              reason="demo data: IVDR Annex IX §4.13 batch verification of class D lots")
            if rule is None:
                create_record(MarketRule, {"market": market, "version_number": number,
                                           "valid_from": valid_from, "required_kinds": kinds, "source": source,
                                           **criteria}, user=user, reason="demo data")
            elif criteria.get("criteria_source") and rule.criteria_source != criteria["criteria_source"]:
                # a demo database seeded before the thresholds cited their document
                update_record(rule, criteria, user=user, reason="demo data: the thresholds cite their source")


def _certify(user, product, market_code, kind_code, number, *, until_days, status="active", body=""):
    market = Market.objects.get(code=market_code)
    kind = CertificationKind.objects.get(code=kind_code)
    if Certification.objects.filter(number=number).exists():
        return
    today = timezone.localdate()
    cert = services.create_certification(
        {"product": product, "market": market, "kind": kind, "number": number, "issuing_body": body,
         "valid_from": today - timedelta(days=700),
         "valid_until": today + timedelta(days=until_days) if until_days is not None else None,
         "jrc_device_id": "JRC-2345" if kind_code == "eu_common_list" else "", "status": "active"},
        user=user, reason="demo data")
    if status == "suspended":
        services.suspend_certification(cert, user=user, reason="notified body audit finding pending closure")
    elif status == "expired":
        services.expire_certification(cert, user=user, reason="validity ended")


PILOT_PRODUCT = "SC-FLU-AG-1"  # INC-09's combined antigen test, in pilot manufacture (issue 20)


def _pilot_product_certification(user):
    """The combined test's IVDR certificate is in progress at the notified body: pending, so its pilot lots do
    not ship to the EU yet."""
    product = Product.objects.filter(code=PILOT_PRODUCT).first()
    number = f"{PILOT_PRODUCT}-IVDR-APP-01"
    if product is None or Certification.objects.filter(number=number).exists():
        return
    services.create_certification(
        {"product": product, "market": Market.objects.get(code="EU"),
         "kind": CertificationKind.objects.get(code="ivdr_certificate"), "number": number,
         "issuing_body": "TÜV SÜD (0123)", "valid_from": timezone.localdate() + timedelta(days=120),
         "valid_until": None, "status": "pending"},
        user=user, reason="IVDR application submitted to the notified body (class D)")


def seed(ctx):
    user = ctx.users["regulatory"]
    _markets(user)
    seed_dossiers(ctx)
    products = list(Product.objects.exclude(code=PILOT_PRODUCT).order_by("code"))
    ctx.log(f"regulatory: {Market.objects.count()} markets with rules")
    _pilot_product_certification(user)
    for index, product in enumerate(products[:3]):
        p = f"{product.code}-"
        _certify(user, product, "EU", "ce_declaration", p + "DoC-01", until_days=None, body="Manufacturer")
        _certify(user, product, "EU", "ivdr_certificate", p + "IVDR-0123", until_days=900, body="TÜV SÜD (0123)")
        # expires within 30 days (home warning)
        _certify(user, product, "EU", "eu_common_list", p + "HSC-CL-77", until_days=20, body="European Commission")
        _certify(user, product, "TR", "ce_declaration", p + "TR-DoC", until_days=None, body="Manufacturer")
        # suspended (home warning; TR shipments refused)
        _certify(user, product, "TR", "titck_approval", p + "TITCK-2024-118", until_days=400, status="suspended",
                 body="TİTCK")
        _certify(user, product, "TR", "uts_registration", p + "UTS-55821", until_days=600, body="TİTCK")
        # MY: no MDA registration (missing)
        _certify(user, product, "TH", "thai_fda_notification", p + "TH-FDA-6612", until_days=60,
                 body="Thai FDA")
        _certify(user, product, "CN", "nmpa_registration", p + "NMPA-20203400", until_days=1200, body="NMPA")
        _certify(user, product, "CN", "export_whitelist", p + "WL-2020-0087", until_days=365, body="MOFCOM")
        if index == 0:
            _certify(user, product, "CN", "export_whitelist", p + "WL-2019-0002", until_days=-30,
                     status="expired", body="MOFCOM")
    ctx.log(f"regulatory: {Certification.objects.count()} certifications")
    # The reminders the scheduler sends each morning (90 / 30 / 7 days before the end): the demo inbox has them.
    ctx.log(f"regulatory: {services.certification_reminders()} certification reminders")
    _basic_udi_di(user, products)
    seed_batch_verifications(ctx)
    if Shipment.objects.exists():
        ctx.log("regulatory: shipments already seeded")
        return
    today = timezone.localdate()
    shipped = 0
    for batch in Batch.objects.filter(status=Batch.Status.RELEASED, kind=Batch.Kind.COMMERCIAL) \
            .select_related("product").order_by("pk")[:6]:
        for code in ("CN", "EU"):
            market = Market.objects.get(code=code)
            left = batch.quantity_released - batch.quantity_shipped
            if left < 4 or not eligibility(batch, market, today)[0]:
                continue
            services.record_shipment(batch=batch, market=market, quantity=max(1, left // 4), shipped_on=today,
                                     consignee=f"Demo importer {code}", export_certificate_number=f"EXP-{batch.pk}",
                                     serials=_next_serials(batch, cases=min(20, max(1, left // 4 // 50))),
                                     user=user, reason="demo shipment")
            batch.refresh_from_db()
            shipped += 1
    ctx.log(f"regulatory: {shipped} shipments")


def _basic_udi_di(user, products):
    """A Basic UDI-DI per demo product (GS1 GMN style: company prefix + model reference)."""
    for product in products:
        if not product.basic_udi_di:
            update_record(product, {"basic_udi_di": f"0952123{product.code.replace('-', '')}"[:25].upper()},
                          user=user, reason="demo data: Basic UDI-DI of the device model")


def _next_serials(batch, *, cases):
    """The first ``cases`` issued case serials of the lot that are neither shipped nor destroyed."""
    from production.labelling.serials import DestroyedSerial, issued_ranges
    from production.labelling.services import format_serial
    from regulatory.models import ShipmentSerial

    taken = set(ShipmentSerial.objects.filter(batch=batch).values_list("serial", flat=True)) | set(
        DestroyedSerial.objects.filter(batch=batch).values_list("serial", flat=True))
    serials = []
    for first, last in issued_ranges(batch):
        for n in range(first, last + 1):
            if len(serials) >= cases:
                return serials
            if format_serial(n) not in taken:
                serials.append(format_serial(n))
    return serials


def _release_more(ctx, wanted):
    """Release awaiting-QC lots (inspected and signed as in QC's demo) until ``wanted`` class D lots are released,
    so that the batch verification demo has a lot in each state."""
    from lims.demo import DEMO_PASSWORD
    from qc import services as qc_services
    from qc.demo import _inspect
    from qc.gates import release_blockers
    from qc.models import Specification

    qa = ctx.users["qa"]
    released = Batch.objects.filter(status=Batch.Status.RELEASED, product__ivdr_class="D")
    for batch in (Batch.objects.filter(status=Batch.Status.AWAITING_QC, product__ivdr_class="D",
                                       quantity_made__gte=2).select_related("product").order_by("-completed_at")):
        if released.count() >= wanted:
            return
        specs = list(Specification.objects.filter(product=batch.product, stage="release").order_by("code"))
        _inspect(batch, specs, ctx)
        if release_blockers(batch, qa):
            continue
        qc_services.dispose_batch(batch, decision="release", username=qa.username, password=DEMO_PASSWORD,
                                  user=qa, reason="all release tests passed")


def seed_batch_verifications(ctx):
    """Class D lots in each state of IVDR batch verification (Annex IX §4.13)."""
    from lims.demo import DEMO_PASSWORD
    from regulatory.models import BatchVerification

    if BatchVerification.objects.exists():
        ctx.log("regulatory: batch verifications already seeded")
        return
    user = ctx.users["regulatory"]
    _release_more(ctx, 5)
    today = timezone.localdate()
    lots = list(Batch.objects.filter(status=Batch.Status.RELEASED, product__ivdr_class="D").order_by("pk")[:5])
    # state → (reports sent days ago, samples sent days ago, decision, decided days ago, reason)
    plan = [("confirmed", 25, 25, "confirmed", 5, ""), ("period ended", 40, 38, None, None, ""),
            ("objected", 20, 20, "objected", 3, "Reference panel result out of the body's tolerance at sample 7"),
            ("clock running", 12, 10, None, None, ""), ("not yet sent", None, None, None, None, "")]
    for batch, (_state, reports, samples, decision, decided, why) in zip(lots, plan, strict=False):
        v = services.open_batch_verification(
            batch, notified_body="TÜV SÜD Product Service GmbH (0123)",
            reports_sent_on=today - timedelta(days=reports) if reports is not None else None,
            samples_sent_on=today - timedelta(days=samples) if samples is not None else None,
            user=user, reason="test reports and samples sent to the notified body")
        services.upload_verification_document(
            v, _upload(f"{batch.lot_number} — release test reports (summary).pdf"), kind="test_reports", user=user,
            reason="test reports sent")
        if decision:
            services.decide_batch_verification(v, decision=decision, decided_on=today - timedelta(days=decided),
                                               username=user.username, password=DEMO_PASSWORD, user=user,
                                               reason=why or "notified body's letter received")
    ctx.log(f"regulatory: {len(lots)} batch verifications (each state)")
    ctx.log(f"regulatory: {services.batch_verification_clock_notices()} batch verification period notices")


def _upload(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, demo_pdf(name))


def demo_pdf(title: str) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    page.setFont("Helvetica", 12)
    page.drawString(72, 770, title)
    page.drawString(72, 750, "Demo document of the IVD LIMS.")
    page.save()
    return buffer.getvalue()


def seed_dossiers(ctx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from regulatory.checklists import ensure_templates
    from regulatory.models import Dossier

    user = ctx.users["regulatory"]
    templates = ensure_templates(user)
    product = Product.objects.order_by("code").first()
    if product is None or Dossier.objects.exists():
        ctx.log("regulatory: dossiers already seeded or no product")
        return
    dossier = services.create_dossier(product=product, market=Market.objects.get(code="EU"),
                                      template=templates["eu_common_list"], user=user, reason="demo dossier")
    items = list(dossier.items.order_by("position"))
    for item in items[:-1]:  # nearly complete: the last item is the gap
        name = f"{item.position:02d} {item.title}.pdf"  # the whole title: names are kept whole
        services.upload_document(item, SimpleUploadedFile(name, demo_pdf(item.title)), user=user,
                                 reason="demo document")
    # The clinical evidence of the EU common-list application: a prospective field study recorded by QC.
    from qc.models import PerformanceStudy

    study = PerformanceStudy.objects.filter(product=product).first() or create_record(
        PerformanceStudy, {"product": product, "kind": "clinical", "title": "Prospective field study, 2 sites",
                           "tp": 281, "fn": 19, "tn": 796, "fp": 4}, user=ctx.users["qc"], reason="demo study")
    services.cite_study(dossier, study, user=user, reason="clinical performance evidence")
    ctx.log(f"regulatory: EU common list dossier {dossier.pk} ({dossier.completeness()[0]} % complete)")
