"""The lab's clients (hospitals in Chongqing, incubator projects, the plant's QC), its assays and its samples:
3 months by default (about 6,000), a year with ``--full`` (about 24,000).

Arrivals follow a weekday/hour pattern (morning and early-afternoon peaks, quiet nights and weekends); turnaround
is log-normal around a fraction of each assay's target, so a realistic share runs late. Samples whose report
time would lie in the future are still open (some in testing), and about 1 % are rejected as unfit.

Everything goes through the services (receive_samples in bulk, then start/reject), so the demo has history.
Idempotent: barcodes are ``D`` + date + a daily sequence, and a day's samples are drawn from a generator seeded
with that date, so a second run (or a later ``--full`` run) finds them and creates only what is missing.
"""

import math
import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from incubator.models import Project
from lab import services
from lab.models import Assay, Client, Sample
from lab.throughput import zone
from lims.services import create_record, update_record

CLIENTS = [
    # code, name, kind, incubator project code, weight (share of samples)
    ("CQMU-H1", "First Affiliated Hospital of Chongqing Medical University", "hospital", None, 18),
    ("CQMU-H2", "Second Affiliated Hospital of Chongqing Medical University", "hospital", None, 12),
    ("CQ-GEN", "Chongqing General Hospital", "hospital", None, 10),
    ("SW-HOSP", "Southwest Hospital, Army Medical University", "hospital", None, 9),
    ("XQ-HOSP", "Xinqiao Hospital, Army Medical University", "hospital", None, 8),
    ("DP-HOSP", "Daping Hospital, Army Medical University", "hospital", None, 6),
    ("CQ-CHILD", "Children's Hospital of Chongqing Medical University", "hospital", None, 8),
    ("CQ-MCH", "Chongqing Health Center for Women and Children", "hospital", None, 6),
    ("CQU-3G", "Chongqing University Three Gorges Hospital", "hospital", None, 4),
    ("SPB-PH", "Shapingba District People's Hospital", "hospital", None, 5),
    ("INC-04-LAB", "Anhe Women's Diagnostics (incubator project INC-04)", "incubator_project", "INC-04", 3),
    ("INC-05-LAB", "Zaoshi Oncology Biotech (incubator project INC-05)", "incubator_project", "INC-05", 2),
    ("INC-08-LAB", "Weipei Biotechnology (incubator project INC-08)", "incubator_project", "INC-08", 2),
    ("PLANT-QC", "Plant quality control (antigen kit lots)", "plant_qc", None, 5),
    ("CQ-CDC", "Shapingba District Center for Disease Control", "other", None, 2),
]
# The clients' Chinese names, by code (issue 19: master data is read in both languages).
CLIENT_NAMES_ZH = {
    "CQMU-H1": "重庆医科大学附属第一医院", "CQMU-H2": "重庆医科大学附属第二医院", "CQ-GEN": "重庆市人民医院",
    "SW-HOSP": "陆军军医大学第一附属医院（西南医院）", "XQ-HOSP": "陆军军医大学第二附属医院（新桥医院）",
    "DP-HOSP": "陆军军医大学第三附属医院（大坪医院）", "CQ-CHILD": "重庆医科大学附属儿童医院",
    "CQ-MCH": "重庆市妇幼保健院", "CQU-3G": "重庆大学附属三峡医院", "SPB-PH": "沙坪坝区人民医院",
    "INC-04-LAB": "安禾女性诊断（孵化项目 INC-04）", "INC-05-LAB": "早识肿瘤生物科技（孵化项目 INC-05）",
    "INC-08-LAB": "微培生物科技（孵化项目 INC-08）", "PLANT-QC": "工厂质量控制（抗原试剂盒批次）",
    "CQ-CDC": "沙坪坝区疾病预防控制中心", "INC-09-LAB": "重庆体外诊断研究院衍生企业（孵化项目 INC-09）",
}
ASSAYS = [
    # code, name, method, TAT target h, price CNY, weight, result kind (qual / text / value:unit:low:high)
    ("COV-AG", "SARS-CoV-2 antigen", "Colloidal-gold lateral flow", 4, 40, 12, "qual"),
    ("COV-PCR", "SARS-CoV-2 RNA", "Real-time RT-PCR (internal control as the control line)", 24, 80, 8, "qual"),
    ("FLU-AG", "Influenza A/B antigen", "Colloidal-gold lateral flow", 4, 60, 6, "qual"),
    ("CBC", "Complete blood count (WBC)", "Haematology analyser (5-part differential)", 4, 25, 20,
     "value:10^9/L:3.5:9.5"),
    ("CRP", "C-reactive protein", "Immunoturbidimetry", 4, 30, 14, "value:mg/L:0:10"),
    ("HBA1C", "Haemoglobin A1c", "HPLC", 24, 60, 8, "value:%:4:6"),
    ("PCT", "Procalcitonin", "Chemiluminescence immunoassay", 6, 120, 5, "value:ng/mL:0:0.5"),
    ("LFT", "Liver function panel (ALT)", "Clinical chemistry analyser", 8, 60, 9, "value:U/L:7:40"),
    ("CULT", "Microbiology culture and sensitivity", "Culture, MALDI-TOF identification, AST", 72, 150, 5, "text"),
    ("HPV", "HPV genotyping (15 high-risk types)", "Real-time PCR", 72, 300, 4, "qual"),
    ("IGRA", "Tuberculosis interferon-gamma release assay", "ELISA", 48, 280, 2, "qual"),
    ("CTDNA", "Circulating tumour DNA panel", "Next-generation sequencing", 240, 2800, 1, "text"),
]
CULTURES = ["No growth after 48 h", "No growth after 48 h", "E. coli, sensitive to ciprofloxacin",
            "Mixed flora, no pathogen isolated"]


def _type_fields(kind):
    """The assay's result type, unit and reference range from its kind in ASSAYS."""
    if kind == "qual":
        return {"result_type": Assay.ResultType.QUALITATIVE}
    if kind == "text":
        return {"result_type": Assay.ResultType.DESCRIPTIVE}
    _v, unit, low, high = kind.split(":")
    return {"result_type": Assay.ResultType.QUANTITATIVE, "unit": unit, "reference_low": Decimal(low),
            "reference_high": Decimal(high)}


ASSAY_NAMES_ZH = {"COV-AG": "新型冠状病毒抗原", "COV-PCR": "新型冠状病毒核酸", "FLU-AG": "甲/乙型流感病毒抗原",
                  "CBC": "血常规", "CRP": "C 反应蛋白", "HBA1C": "糖化血红蛋白", "PCT": "降钙素原", "LFT": "肝功能",
                  "CULT": "微生物培养及药敏", "HPV": "HPV 分型（15 种高危型）",
                  "IGRA": "结核感染 T 细胞检测（γ-干扰素释放试验）", "CTDNA": "循环肿瘤 DNA 检测"}


# Relative arrival intensity per hour of the day (couriers from the hospitals in the morning and after lunch).
HOURS = [1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 8, 10, 9, 7, 4, 5, 8, 9, 7, 5, 3, 2, 2, 1.5, 1.2, 1]
WEEKDAY = [1.0, 1.05, 1.0, 1.0, 0.95, 0.45, 0.3]
REJECT_REASONS = ["Haemolysed sample", "Tube leaking on arrival", "Label missing or illegible",
                  "Wrong tube type (EDTA expected)", "Sample older than the stability limit"]
QUAL = ["negative", "negative", "negative", "negative", "positive"]


def _master_data(ctx, user):
    projects = {p.code: p for p in Project.objects.all()}
    made = 0
    for code, name, kind, project, _w in CLIENTS:
        client = Client.objects.filter(code=code).first()
        if client is None:
            create_record(Client, {"code": code, "name": name, "name_zh": CLIENT_NAMES_ZH.get(code, ""), "kind": kind,
                                   "project": projects.get(project)}, user=user, reason="lab client master data")
            made += 1
        else:
            _name_in_chinese(client, user)
    study_client = Client.objects.filter(code=STUDY_CLIENT[0]).first()
    if study_client is not None:
        _name_in_chinese(study_client, user)
    for code, name, method, tat, price, _w, kind in ASSAYS:
        assay = Assay.objects.filter(code=code).first()
        if assay is None:
            create_record(Assay, {"code": code, "name": name, "name_zh": ASSAY_NAMES_ZH.get(code, ""),
                                  "method": method, "tat_target_hours": tat,
                                  "price": Decimal(price), **_type_fields(kind)}, user=user, reason="assay catalogue")
            made += 1
        elif assay.result_type != _type_fields(kind)["result_type"]:  # a demo seeded before result types
            update_record(assay, _type_fields(kind), user=user, reason="result type of the assay")
    ctx.log(f"{made} lab clients and assays created")


def _name_in_chinese(client, user):
    """A client seeded before names were bilingual gets its Chinese name."""
    if not client.name_zh and CLIENT_NAMES_ZH.get(client.code):
        update_record(client, {"name_zh": CLIENT_NAMES_ZH[client.code]}, user=user,
                      reason="Chinese name of the lab client")


def _result(rng, kind):
    if kind == "qual":
        if rng.random() < 0.02:  # no control line: the strip (or run) is invalid
            return {"outcome": "invalid", "control_line": False}
        return {"outcome": rng.choice(QUAL), "control_line": True}
    if kind == "text":
        return {"result": rng.choice(CULTURES)}
    _v, unit, low, high = kind.split(":")
    middle, spread = (float(low) + float(high)) / 2, (float(high) - float(low)) / 2
    value = Decimal(str(round(max(0.01, rng.gauss(middle, spread * 1.2)), 2)))
    return {"result_value": value, "result_unit": unit}


def _day(day, now, clients, assays, base_rate):
    """The samples of one local day, drawn from a generator seeded with the date."""
    rng = random.Random(f"lab-demo-{day.isoformat()}")
    tz = zone()
    expected = base_rate * WEEKDAY[day.weekday()]
    count = max(0, int(rng.gauss(expected, math.sqrt(expected))))
    hours = rng.choices(range(24), weights=HOURS, k=count)
    plans = []
    for seq, hour in enumerate(sorted(hours), start=1):
        received = datetime.combine(day, time(hour), tzinfo=tz) + timedelta(seconds=rng.randint(0, 3599))
        if received > now:
            break
        client = rng.choices(clients, weights=[c[1] for c in clients])[0][0]
        assay, _weight, kind = rng.choices(assays, weights=[a[1] for a in assays])[0]
        median = assay.tat_target_hours * 0.55
        tat = timedelta(hours=rng.lognormvariate(math.log(median), 0.45))
        plans.append({
            "barcode": f"D{day:%y%m%d}{seq:04d}", "client": client, "assay": assay, "received_at": received,
            "reported_at": received + tat, "reject": rng.random() < 0.01, "start": rng.random() < 0.6,
            **_result(rng, kind),
        })
    return plans


# Issue 20: the clinical performance study of INC-09's combined antigen test, run by the testing lab (the qc demo
# records its 2 × 2 table: TP 46, FN 4, TN 98, FP 2 = 150 samples). Its samples count in the lab's throughput.
STUDY_CLIENT = ("INC-09-LAB", "Chongqing IVD Institute Spin-off (incubator project INC-09)", "INC-09")
STUDY_ASSAY = ("COMBO-AG", "SARS-CoV-2 / influenza A+B antigen (performance evaluation)",
               "Colloidal-gold lateral flow against RT-PCR", 24, 90)
STUDY_ASSAY_ZH = "新型冠状病毒/甲乙型流感病毒抗原（性能评价）"
STUDY_RESULTS = ["Positive (agrees with RT-PCR)"] * 46 + ["Negative (RT-PCR positive)"] * 4 + \
    ["Negative (agrees with RT-PCR)"] * 98 + ["Positive (RT-PCR negative)"] * 2


def seed_performance_study(ctx, user):
    project = Project.objects.filter(code=STUDY_CLIENT[2]).first()
    if project is None or Sample.objects.filter(barcode__startswith="PS09-").exists():
        return
    code, name, _project = STUDY_CLIENT
    client = Client.objects.filter(code=code).first() or create_record(
        Client, {"code": code, "name": name, "name_zh": CLIENT_NAMES_ZH.get(code, ""),
                 "kind": Client.Kind.INCUBATOR_PROJECT, "project": project},
        user=user, reason="lab client master data")
    a_code, a_name, method, tat, price = STUDY_ASSAY
    assay = Assay.objects.filter(code=a_code).first() or create_record(
        Assay, {"code": a_code, "name": a_name, "name_zh": STUDY_ASSAY_ZH, "method": method,
                "tat_target_hours": tat, "price": Decimal(price)},
        user=user, reason="assay catalogue")
    now = timezone.now()
    start = now - timedelta(days=30)
    rows = [{"barcode": f"PS09-{n:04d}", "client": client, "assay": assay,
             "received_at": start + timedelta(hours=4 * n), "reported_at": start + timedelta(hours=4 * n + 6 + n % 9),
             "result": result} for n, result in enumerate(STUDY_RESULTS)]
    services.receive_samples(rows, user=user, reason="performance study of the combined antigen test")
    ctx.log(f"{len(rows)} samples of INC-09's performance study tested")


# A second lab person: a reported result is reviewed by someone other than its analyst (four eyes).
LAB2 = ("lab2", "Lab", "Lan", "Zhao")
REVIEWED = 12  # the demo's latest results reviewed by lab2, so the sample list shows reviewed and unreviewed ones


def seed_second_person(ctx):
    from lims.demo import ensure_user

    username, role, first, last = LAB2
    ctx.users[username] = ensure_user(username, role, first, last, acting=ctx.users.get("admin"))
    ctx.log(f"demo user {username} (role {role})")
    return ctx.users[username]


def seed_reviews(ctx, reviewer):
    """The second person reviews the latest reported demo results entered by someone else (idempotent: the
    count of reviewed demo samples is topped up to REVIEWED)."""
    from lims.demo import DEMO_PASSWORD

    done = Sample.objects.filter(barcode__startswith="D", reviewed_by__isnull=False).count()
    todo = (Sample.objects.filter(barcode__startswith="D", status=Sample.Status.REPORTED, reviewed_by__isnull=True)
            .exclude(reported_by=reviewer).order_by("-reported_at")[:max(0, REVIEWED - done)])
    for sample in todo:
        services.review_result(sample, username=reviewer.username, password=DEMO_PASSWORD, user=reviewer,
                               reason="second-person review of the result")
    ctx.log(f"{len(todo)} demo results reviewed by {reviewer.username}")


def seed(ctx):
    user = ctx.users["lab"]
    reviewer = seed_second_person(ctx)
    _master_data(ctx, user)
    seed_performance_study(ctx, user)
    _samples(ctx, user)
    seed_reviews(ctx, reviewer)


def _samples(ctx, user):
    clients = [(Client.objects.get(code=c[0]), c[4]) for c in CLIENTS]
    assays = [(Assay.objects.get(code=a[0]), a[5], a[6]) for a in ASSAYS]
    now = timezone.now()
    today = timezone.localdate()
    days = 365 if ctx.full else 90
    base_rate = 80  # samples on an ordinary weekday; the same in both modes, so a day's samples never change
    existing = set(Sample.objects.filter(barcode__startswith="D").values_list("barcode", flat=True))
    plans = []
    for offset in range(days - 1, -1, -1):
        plans.extend(p for p in _day(today - timedelta(days=offset), now, clients, assays, base_rate)
                     if p["barcode"] not in existing)
    if not plans:
        ctx.log(f"lab samples already seeded ({len(existing)})")
        return
    rows = []
    for p in plans:
        row = {k: p[k] for k in ("barcode", "client", "assay", "received_at")}
        if p["reported_at"] <= now and not p["reject"]:
            row.update(reported_at=p["reported_at"], result=p.get("result", ""), result_value=p.get("result_value"),
                       result_unit=p.get("result_unit", ""), outcome=p.get("outcome", ""),
                       control_line=p.get("control_line"))
        rows.append(row)
    created = []
    for start in range(0, len(rows), 2000):
        created.extend(services.receive_samples(rows[start:start + 2000], user=user, reason="demo intake"))
        ctx.log(f"received {min(start + 2000, len(rows))}/{len(rows)} samples")
    by_barcode = {s.barcode: s for s in created}
    rejected = started = 0
    for p in plans:
        sample = by_barcode[p["barcode"]]
        if sample.status != Sample.Status.RECEIVED:
            continue
        if p["reject"]:
            when = min(p["received_at"] + timedelta(minutes=20), now)
            services.reject_sample(sample, rejected_at=when, user=user, reason=_choice(p, REJECT_REASONS))
            rejected += 1
        elif p["start"]:
            services.start_testing(sample, started_at=min(p["received_at"] + timedelta(minutes=30), now),
                                   user=user, reason="loaded on the analyser")
            started += 1
    ctx.log(f"{len(created)} samples over {days} days ({rejected} rejected, {started} in testing)")


def _choice(plan, options):
    return options[sum(map(ord, plan["barcode"])) % len(options)]
