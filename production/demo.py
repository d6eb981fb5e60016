"""The demo plant (DESIGN.md, Data from the seeds; DOMAIN.md §1–2), built through the services so it has a history:
one ISO 8 clean room of 700 m², automated lines A1–A2 and manual lines M1–M3 (together about 3 million kits a
month: 2 × 3,000 kits/h × 16 h + 3 × 1,000 kits/h × 8 h = 120,000 kits a day, × ~25 working days), the SARS-CoV-2
antigen kit in a 1-test and a 20-test pack with their BOMs, approved, quarantined and rejected component lots, and
about three months of batches. Idempotent: what exists is left alone."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from lims.services import create_record, update_record
from production import services
from production.models import Batch, CleanRoom, Line, Material, MaterialLot, Plant, Product, RejectReason

REASON = "demo plant"
DAYS = 90
DENSE_DAYS = 14

MATERIALS = [
    # code, name, category, unit, quantity per 1-test kit, quantity per 20-test pack
    ("MEM-NC", "Nitrocellulose membrane", "membrane", "cm2", "1.2", "24"),
    ("PAD-CONJ", "Conjugate pad", "pad", "cm2", "0.6", "12"),
    ("PAD-SAMPLE", "Sample pad", "pad", "cm2", "1.0", "20"),
    ("PAD-ABS", "Absorbent pad", "pad", "cm2", "1.0", "20"),
    ("CARD", "Backing card", "backing", "cm2", "2.4", "48"),
    ("AU-CONJ", "Gold conjugate", "reagent", "uL", "4", "80"),
    ("AB-CAP", "Capture antibody (anti-N)", "antibody", "ug", "0.5", "10"),
    ("AB-CTL", "Control antibody (goat anti-mouse)", "antibody", "ug", "0.3", "6"),
    ("CAS-TOP", "Cassette top", "plastic", "pcs", "1", "20"),
    ("CAS-BOT", "Cassette bottom", "plastic", "pcs", "1", "20"),
    ("DESIC", "Desiccant", "packaging", "pcs", "1", "20"),
    ("POUCH", "Foil pouch", "packaging", "pcs", "1", "20"),
    ("BUF", "Extraction buffer", "buffer", "mL", "0.35", "7"),
    ("TUBE", "Extraction tube with nozzle", "plastic", "pcs", "1", "20"),
    ("SWAB", "Sterile swab", "accessory", "pcs", "1", "20"),
    ("IFU", "Instructions for use leaflet", "printed", "pcs", "1", "1"),
    ("CARTON", "Carton", "printed", "pcs", "1", "1"),
]

DEMO_SUPPLIER_GTIN = "04012345000016"  # GS1 check digit valid; a made-up supplier number

SUPPLIERS = {
    "membrane": ("Sartorius Stedim", "Advanced Microdevices"), "pad": ("Ahlstrom", "Shanghai Kinbio"),
    "backing": ("Lohmann", "Shanghai Kinbio"), "reagent": ("Chongqing Gold Bio", "BBI Solutions"),
    "antibody": ("Fapon Biotech", "HyTest"), "plastic": ("Suzhou Moulding", "Ningbo Plastics"),
    "packaging": ("Clariant", "Amcor"), "buffer": ("In-house buffer suite", "Chongqing Reagents"),
    "accessory": ("Copan", "Jiangsu Swab Co."), "printed": ("Chongqing Printing", "Chongqing Printing"),
}

REJECT_REASONS = [
    ("SEAL", "Pouch seal defect"), ("PRINT", "Print or label defect"), ("STRIP", "Strip misplaced in cassette"),
    ("DESIC", "Desiccant missing"), ("CASSETTE", "Cassette damaged"), ("FILL", "Buffer fill volume out of range"),
]
# Their Chinese names, by code (apart from NAMES_ZH: the reject reason DESIC is not the material DESIC).
REJECT_REASON_NAMES_ZH = {
    "SEAL": "铝箔袋封口不良", "PRINT": "印刷或标签缺陷", "STRIP": "试纸条在卡壳内错位", "DESIC": "缺少干燥剂",
    "CASSETTE": "卡壳损坏", "FILL": "缓冲液灌装量超出范围",
}

LINES = [("A1", "Automated line A1", "automated", 3000), ("A2", "Automated line A2", "automated", 3000),
         ("M1", "Manual station M1", "manual", 1000), ("M2", "Manual station M2", "manual", 1000),
         ("M3", "Manual station M3", "manual", 1000)]

EQUIPMENT = {"dispensing": "Dispenser XYZ-3060", "conjugate": "Airjet AJ-2", "lamination": "Laminator LM-5000",
             "slitting": "Guillotine cutter CM-4000", "assembly": "Cassette press CP-12",
             "pouching": "Pouch sealer PS-8", "buffer_filling": "Filling line FL-2", "kitting": "Labeller LB-3"}


# The Chinese names of the master data (issue 19: people read them in both languages), by code.
NAMES_ZH = {
    "SC-FLU-AG-1": "新型冠状病毒/甲乙型流感病毒抗原联合检测试剂盒（胶体金法），1 人份",
    "MEM-NC": "硝酸纤维素膜", "PAD-CONJ": "结合垫", "PAD-SAMPLE": "样品垫", "PAD-ABS": "吸水垫", "CARD": "底板",
    "AU-CONJ": "胶体金结合物", "AB-CAP": "捕获抗体（抗 N 蛋白）", "AB-CTL": "质控抗体（羊抗鼠）", "CAS-TOP": "卡壳上盖",
    "CAS-BOT": "卡壳底座", "DESIC": "干燥剂", "POUCH": "铝箔袋", "BUF": "提取缓冲液", "TUBE": "带滴嘴提取管",
    "SWAB": "无菌拭子", "IFU": "使用说明书", "CARTON": "纸盒",
    "CR-01": "主洁净室（十万级）",
    "A1": "自动化生产线 A1", "A2": "自动化生产线 A2", "M1": "手工工位 M1", "M2": "手工工位 M2", "M3": "手工工位 M3",
    "SC-AG-1": "新型冠状病毒抗原检测试剂盒（胶体金法），1 人份",
    "SC-AG-20": "新型冠状病毒抗原检测试剂盒（胶体金法），20 人份，专业用",
}


def _ensure(model, lookup: dict, data: dict, user, names_zh=NAMES_ZH):
    found = model.objects.filter(**lookup).first()
    bilingual = any(f.name == "name_zh" for f in model._meta.fields)
    name_zh = names_zh.get(lookup.get("code", ""), "") if bilingual else ""
    if found is None:
        return create_record(model, {**lookup, **data, **({"name_zh": name_zh} if name_zh else {})}, user=user,
                             reason=REASON)
    if name_zh and hasattr(found, "name_zh") and not found.name_zh:  # a demo seeded before names were bilingual
        found = update_record(found, {"name_zh": name_zh}, user=user, reason="Chinese name of the master data")
    return found


def _ensure_product(code, data, bom, materials, user):
    product = Product.objects.filter(code=code).first()
    if product is None:
        product = services.create_product({"code": code, **data, "name_zh": NAMES_ZH.get(code, "")}, user=user,
                                          reason=REASON)
    elif not product.name_zh and NAMES_ZH.get(code):
        product = update_record(product, {"name_zh": NAMES_ZH[code]}, user=user, reason="Chinese name of the product")
    if not product.boms.exists():
        services.create_bom(product, [(materials[m], Decimal(q)) for m, q in bom], user=user, reason=REASON,
                            effective_from=timezone.localdate() - timedelta(days=DAYS + 30),
                            notes="Design transfer from the research institute")
    return product


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed(ctx):
    user, qc = ctx.users["production"], ctx.users["qc"]
    rnd = ctx.random
    today = timezone.localdate()

    if not Plant.objects.exists():
        create_record(Plant, {"name": "Chongqing IVD plant", "nameplate_tests_per_month": 3_000_000,
                              "working_days_per_week": 6}, user=user, reason=REASON)
    room = _ensure(CleanRoom, {"code": "CR-01"}, {"name": "Main clean room (class 100,000)", "iso_class": 8,
                                                  "area_m2": Decimal("700")}, user)
    lines = {code: _ensure(Line, {"code": code}, {"name": name, "kind": kind, "clean_room": room,
                                                  "rated_units_per_hour": rate}, user)
             for code, name, kind, rate in LINES}
    materials = {code: _ensure(Material, {"code": code}, {"name": name, "category": category, "unit": unit}, user)
                 for code, name, category, unit, _one, _twenty in MATERIALS}
    # The membrane's supplier prints GS1 labels (01 GTIN + 10 lot): scanning them finds the lot (demo GTIN).
    membrane = materials["MEM-NC"]
    if not membrane.supplier_gtin:
        materials["MEM-NC"] = update_record(membrane, {"supplier_gtin": DEMO_SUPPLIER_GTIN}, user=user,
                                            reason="The supplier's GS1 label carries this GTIN")
    reasons = [_ensure(RejectReason, {"code": code}, {"name": name}, user, names_zh=REJECT_REASON_NAMES_ZH)
               for code, name in REJECT_REASONS]
    kit = _ensure_product("SC-AG-1", {
        "name": "SARS-CoV-2 Antigen Rapid Test (colloidal gold), 1 test", "gtin": "06901234000016",
        "tests_per_kit": 1, "shelf_life_months": 24, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30"),
        "ifu_version": "3.2"}, [(m[0], m[4]) for m in MATERIALS], materials, user)
    pack = _ensure_product("SC-AG-20", {
        "name": "SARS-CoV-2 Antigen Rapid Test (colloidal gold), 20 tests, professional use",
        "gtin": "06901234000023", "tests_per_kit": 20, "shelf_life_months": 18, "storage_min_c": Decimal("2"),
        "storage_max_c": Decimal("30"), "ifu_version": "2.0"}, [(m[0], m[5]) for m in MATERIALS], materials, user)
    ctx.log(f"clean room {room.code}, {len(lines)} lines, {len(materials)} materials, products {kit.code}, "
            f"{pack.code}")

    if not MaterialLot.objects.filter(supplier_lot__startswith="DEMO-").exists():
        _seed_lots(ctx, materials, user, qc, today)
    _seed_project_products(ctx, today, lines, [kit, pack], materials, user)
    if Batch.objects.filter(product__in=[kit, pack]).exists():
        ctx.log("batches already seeded")
        return
    _seed_batches(ctx, rnd, today, lines, kit, pack, reasons, user)


PROJECT = "INC-09"  # SARS-CoV-2 and influenza combined antigen test: the project the antigen kit came from
COMBO = ("SC-FLU-AG-1", {
    "name": "SARS-CoV-2 / Influenza A+B Antigen Combo Rapid Test (colloidal gold), 1 test", "gtin": "06901234000047",
    "tests_per_kit": 1, "shelf_life_months": 18, "storage_min_c": Decimal("2"), "storage_max_c": Decimal("30"),
    "ifu_version": "0.9"})
PILOT_DAYS_AGO = (50, 35, 20)


def _seed_project_products(ctx, today, lines, kits, materials, user):
    """Issue 20: the antigen kits belong to the incubator project they came from (INC-09), and INC-09's combined
    antigen test is in pilot manufacture: three small pilot batches on manual station M3 (QC decides them in the
    qc demo). Idempotent."""
    from incubator.models import Project
    from lims.services import update_record

    project = Project.objects.filter(code=PROJECT).first()
    if project is None:
        return
    for product in kits:
        if product.project_id is None:
            update_record(product, {"project": project}, fields={"project"}, user=user,
                          reason="technology transferred from incubator project INC-09")
    code, data = COMBO
    combo = _ensure_product(code, {**data, "project": project}, [(m[0], m[4]) for m in MATERIALS], materials, user)
    if Batch.objects.filter(product=combo).exists():
        return
    for days in PILOT_DAYS_AGO:
        day = today - timedelta(days=days)
        batch = services.create_batch(product=combo, line=lines["M3"], planned_quantity=2000, manufactured_on=day,
                                      kind=Batch.Kind.PILOT, user=user, reason="pilot manufacture plan (INC-09)")
        batch = services.start_batch(batch, user=user, reason="line clearance done", at=_at(day, 8))
        _consume(batch, 2000, user)
        for i, step in enumerate(combo.process_steps.order_by("sequence")):
            begin = _at(day, 8, 30) + timedelta(minutes=50 * i)
            services.record_step(batch, step=step, started_at=begin, ended_at=begin + timedelta(minutes=45),
                                 operator=user, equipment=EQUIPMENT.get(step.code, ""),
                                 room_temperature_c=Decimal("22.0"), room_humidity_pct=Decimal("36.0"), user=user,
                                 reason="batch record")
        services.complete_batch(batch, quantity_made=1940 + days, user=user, reason="end of pilot batch",
                                at=_at(day, 19))
    ctx.log(f"{code}: 3 pilot batches of INC-09's combined antigen test; antigen kits linked to {PROJECT}")


def _seed_lots(ctx, materials, user, qc, today):
    """Two approved lots per material big enough for the demo's batches, one approved lot close to expiry, two
    lots still in quarantine and one rejected by incoming QC."""
    received = today - timedelta(days=DAYS + 10)
    count = 0
    for index, (code, _name, category, _unit, one, twenty) in enumerate(MATERIALS):
        need = Decimal(one) * 2_000_000 + Decimal(twenty) * 40_000  # the demo's three months, with margin
        for n, supplier in enumerate(SUPPLIERS[category]):
            lot = services.receive_material_lot(
                material=materials[code], supplier=supplier, supplier_lot=f"DEMO-{code}-{n + 1:02d}",
                received_on=received + timedelta(days=n), expiry_date=received + timedelta(days=540 + 30 * n),
                quantity=need, user=user, reason="delivery")
            services.approve_material_lot(lot, user=qc, reason="Certificate of analysis and visual check passed")
            count += 1
        if index in (0, 12):  # a new membrane and buffer delivery waiting for incoming QC
            services.receive_material_lot(
                material=materials[code], supplier=SUPPLIERS[category][0], supplier_lot=f"DEMO-{code}-Q1",
                received_on=today - timedelta(days=2), expiry_date=today + timedelta(days=600), quantity=need / 4,
                user=user, reason="delivery")
            count += 1
    short = services.receive_material_lot(
        material=materials["SWAB"], supplier="Copan", supplier_lot="DEMO-SWAB-X1", received_on=today - timedelta(60),
        expiry_date=today + timedelta(days=20), quantity=Decimal(50_000), user=user, reason="delivery")
    services.approve_material_lot(short, user=qc, reason="Certificate of analysis and visual check passed")
    torn = services.receive_material_lot(
        material=materials["POUCH"], supplier="Amcor", supplier_lot="DEMO-POUCH-R1", received_on=today - timedelta(30),
        expiry_date=today + timedelta(days=700), quantity=Decimal(200_000), user=user, reason="delivery")
    services.reject_material_lot(torn, user=qc, reason="Seal strength below specification on 3 of 13 samples")
    ctx.log(f"{count + 2} component lots (approved, in quarantine, rejected, one expiring soon)")


def _consume(batch, kits, user):
    """Take each BOM material for ``kits`` kits from the approved lots of the demo, oldest expiry first."""
    for line in batch.bom.lines.select_related("material"):
        wanted = line.quantity_per_kit * kits
        for lot in MaterialLot.objects.usable().filter(material=line.material, supplier_lot__startswith="DEMO-") \
                .exclude(supplier_lot__contains="-X").order_by("expiry_date", "pk"):
            take = min(wanted, lot.quantity_remaining)
            # 20 minutes after the start, or now for a batch started less than 20 minutes ago (seeded between
            # 06:00 and 06:20 local time, the moment would be in the future and the service refuses it)
            services.consume_material(batch, material_lot=lot, quantity=take, user=user, reason="dispensed",
                                      at=min(batch.started_at + timedelta(minutes=20), timezone.now()))
            wanted -= take
            if wanted <= 0:
                break


def _seed_batches(ctx, rnd, today, lines, kit, pack, reasons, user):
    """Batches over the last three months — every few days at first, on both automated lines every working day in
    the last two weeks (so the capacity dashboard has data): completed ones (awaiting QC, for the QC demo to
    release, reject or quarantine), two in production today and yesterday, and two planned for tomorrow."""
    plan = []
    day = today - timedelta(days=DAYS)
    dense_from = today - timedelta(days=DENSE_DAYS)
    while day <= today - timedelta(days=2):
        if day.weekday() < 6:
            if day >= dense_from:  # the last two weeks: both automated lines every working day
                plan += [(day, "A1"), (day, "A2")]
            else:
                plan.append((day, "A1" if len(plan) % 2 else "A2"))
            if rnd.random() < 0.35:
                plan.append((day, rnd.choice(["M1", "M2", "M3"])))
        day += timedelta(days=1 if day >= dense_from else rnd.choice([3, 4]))
    plan += [(today - timedelta(days=1), "A2"), (today, "M1")]  # on the lines now
    made = 0
    for day, code in plan:
        line = lines[code]
        product = pack if (line.kind == Line.Kind.MANUAL and rnd.random() < 0.5) else kit
        capacity = line.daily_capacity // product.tests_per_kit if product == pack else line.daily_capacity
        planned = int(capacity * rnd.uniform(0.8, 0.97)) // 100 * 100
        batch = services.create_batch(product=product, line=line, planned_quantity=planned, manufactured_on=day,
                                      user=user, reason="weekly production plan")
        in_progress = day >= today - timedelta(days=1)
        start = _at(day, 6)
        if in_progress and start > timezone.now():
            continue  # today's early hours: stays planned
        batch = services.start_batch(batch, user=user, reason="line clearance done", at=start)
        _consume(batch, planned, user)
        steps = list(product.process_steps.order_by("sequence"))
        for i, step in enumerate(steps[:4] if in_progress else steps):
            begin = start + timedelta(minutes=30 + 90 * i)
            if begin + timedelta(minutes=80) > timezone.now():
                break
            services.record_step(batch, step=step, started_at=begin, ended_at=begin + timedelta(minutes=80),
                                 operator=user, equipment=EQUIPMENT.get(step.code, ""),
                                 room_temperature_c=Decimal(str(round(rnd.uniform(20, 24), 1))),
                                 room_humidity_pct=Decimal(str(round(rnd.uniform(32, 40), 1))), user=user,
                                 reason="batch record")
        if in_progress:
            continue
        rejected = [(r, rnd.randint(5, planned // 150 + 5)) for r in rnd.sample(reasons, rnd.randint(1, 3))]
        quantity = planned - sum(q for _r, q in rejected) - rnd.randint(0, planned // 100)
        services.complete_batch(batch, quantity_made=quantity, rejects=rejected, user=user,
                                reason="end of batch", at=_at(day, 20))
        made += quantity
    for code in ("A1", "M2"):  # tomorrow's plan
        services.create_batch(product=kit if code == "A1" else pack, line=lines[code],
                              planned_quantity=40_000 if code == "A1" else 350, manufactured_on=today + timedelta(1),
                              user=user, reason="weekly production plan")
    ctx.log(f"{Batch.objects.count()} batches, {made:,} kits made")
