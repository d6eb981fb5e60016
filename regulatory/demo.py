"""Demo markets (EU, TR, MY, TH, CN) with their versioned rule sets and cited sources, the certification kinds,
certifications of the demo products (one expiring within 30 days, one suspended, one expired, one market
missing), and a few shipments of released lots — all through the services, idempotently."""

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
            criteria = EVIDENCE.get((code, number), {})
            if rule is None:
                create_record(MarketRule, {"market": market, "version_number": number,
                                           "valid_from": valid_from, "required_kinds": kinds, "source": source,
                                           **criteria}, user=user, reason="demo data")
            elif criteria and rule.criteria_source != criteria["criteria_source"]:
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


def seed(ctx):
    user = ctx.users["regulatory"]
    _markets(user)
    seed_dossiers(ctx)
    products = list(Product.objects.order_by("code"))
    ctx.log(f"regulatory: {Market.objects.count()} markets with rules")
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
    if Shipment.objects.exists():
        ctx.log("regulatory: shipments already seeded")
        return
    today = timezone.localdate()
    shipped = 0
    for batch in Batch.objects.filter(status=Batch.Status.RELEASED).select_related("product").order_by("pk")[:4]:
        for code in ("CN", "EU"):
            market = Market.objects.get(code=code)
            left = batch.quantity_released - batch.quantity_shipped
            if left < 4 or not eligibility(batch, market, today)[0]:
                continue
            services.record_shipment(batch=batch, market=market, quantity=max(1, left // 4), shipped_on=today,
                                     consignee=f"Demo importer {code}", export_certificate_number=f"EXP-{batch.pk}",
                                     user=user, reason="demo shipment")
            batch.refresh_from_db()
            shipped += 1
    ctx.log(f"regulatory: {shipped} shipments")


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
        name = f"{item.position:02d}-{item.title[:30].replace(' ', '-').lower()}.pdf"
        services.upload_document(item, SimpleUploadedFile(name, demo_pdf(item.title)), user=user,
                                 reason="demo document")
    # The clinical evidence of the EU common-list application: a prospective field study recorded by QC.
    from qc.models import PerformanceStudy

    study = PerformanceStudy.objects.filter(product=product).first() or create_record(
        PerformanceStudy, {"product": product, "kind": "clinical", "title": "Prospective field study, 2 sites",
                           "tp": 281, "fn": 19, "tn": 796, "fp": 4}, user=ctx.users["qc"], reason="demo study")
    services.cite_study(dossier, study, user=user, reason="clinical performance evidence")
    ctx.log(f"regulatory: EU common list dossier {dossier.pk} ({dossier.completeness()[0]} % complete)")
