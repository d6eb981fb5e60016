"""The incubator's 18 projects (DOMAIN.md §1) in realistic stages, with milestones, funding and quarterly KPIs,
created through the services by the demo Incubator manager. Idempotent: a project that exists is left alone.
Dates are relative to today so the portfolio always shows current and overdue milestones."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from incubator import services
from incubator.models import FundingEvent, Project

# code, name, company, team lead, focus area, months in the incubator, stage path, space m², shared equipment
PROJECTS = [
    ("INC-01", "Smart-medicine autism intervention", "Chongqing Xingyu Smart Health Co., Ltd.", "Dr. Luo Xin",
     "neurodevelopment", 40, ["incubating", "accelerating"], 120, "Eye-tracking lab; EEG system"),
    ("INC-02", "Regional health big-data platform", "Chongqing Yuzhong Health Data Technology Co., Ltd.",
     "Prof. Tang Wei", "digital_health", 36, ["incubating", "accelerating"], 80, "GPU server room"),
    ("INC-03", "Intelligent developmental assessment system", "Chongqing Zhiping Medical AI Co., Ltd.",
     "Dr. He Jing", "ai_assessment", 22, ["incubating"], 60, "GPU server room; usability lab"),
    ("INC-04", "Rapid diagnostics for women's diseases (HPV, vaginitis)",
     "Chongqing Anhe Women's Diagnostics Co., Ltd.",
     "Dr. Zhou Lan", "womens_health", 34, ["incubating", "accelerating"], 150, "Clean bench; real-time PCR"),
    ("INC-05", "Early tumour diagnosis from circulating tumour DNA", "Chongqing Zaoshi Oncology Biotech Co., Ltd.",
     "Prof. Chen Gang", "oncology", 26, ["incubating"], 140, "NGS sequencer; digital PCR"),
    ("INC-06", "Personalised tumour therapy by organoid drug testing", "Liangjiang Organoid Medicine Co., Ltd.",
     "Dr. Wu Ting", "oncology", 18, ["incubating"], 110, "Cell culture room; high-content imager"),
    ("INC-07", "Anti-tumour small-molecule drug discovery", "Chongqing Kangrui Pharmaceutical Research Co., Ltd.",
     "Prof. Deng Hui", "drug_discovery", 20, ["incubating"], 160, "HPLC-MS; chemistry fume hoods"),
    ("INC-08", "3D microbial culture for microbiology diagnostics", "Chongqing Weipei Biotechnology Co., Ltd.",
     "Dr. Yuan Qing", "microbiology", 30, ["incubating", "accelerating"], 130, "BSL-2 lab; MALDI-TOF"),
    ("INC-09", "SARS-CoV-2 and influenza combined antigen test", "Chongqing IVD Institute Spin-off Co., Ltd.",
     "Dr. Ma Rui", "diagnostics", 44, ["incubating", "accelerating", "graduated"], 0, "Lateral-flow pilot line"),
    ("INC-10", "Point-of-care HbA1c analyser", "Chongqing Tangjian Medical Devices Co., Ltd.", "Eng. Xu Peng",
     "diagnostics", 14, ["incubating"], 70, "Electronics workshop; climate chamber"),
    ("INC-11", "AI reading of lateral-flow test strips", "Shapingba Vision Diagnostics Co., Ltd.", "Dr. Song Yu",
     "ai_assessment", 2, [], 0, ""),
    ("INC-12", "Sepsis biomarker panel (PCT, IL-6)", "Chongqing Jiuzhen Biotech Co., Ltd.", "Dr. Liang Fei",
     "diagnostics", 16, ["incubating"], 90, "Chemiluminescence analyser"),
    ("INC-13", "Tuberculosis interferon-gamma release assay", "Chongqing Kangjie Biotech Co., Ltd.",
     "Dr. Ren Bo", "microbiology", 28, ["incubating", "exited"], 0, "BSL-2 lab"),
    ("INC-14", "Chronic-disease monitoring platform for the elderly", "Chongqing Yinling Health Technology Co., Ltd.",
     "Ms. Guo Min", "digital_health", 12, ["incubating"], 40, "Device test bench"),
    ("INC-15", "Breast cancer risk assessment model", "Chongqing Ruizhen AI Medical Co., Ltd.", "Dr. Fan Jie",
     "oncology", 3, [], 0, ""),
    ("INC-16", "Prenatal screening data service", "Chongqing Muying Data Co., Ltd.", "Dr. Qin Yue",
     "womens_health", 10, ["incubating"], 35, "GPU server room"),
    ("INC-17", "Antibody-drug conjugate platform", "Chongqing Bochuang Biopharma Co., Ltd.", "Prof. Hu Jun",
     "drug_discovery", 1, [], 0, ""),
    ("INC-18", "Digital therapeutics for children's ADHD", "Chongqing Tongxin Digital Medicine Co., Ltd.",
     "Dr. Cao Li", "neurodevelopment", 24, ["incubating", "exited"], 0, "Eye-tracking lab"),
]

MILESTONES = ["Business plan reviewed by the incubator board", "Prototype verified in the institute's lab",
              "First patent application filed", "Pilot study with a partner hospital",
              "Quality management system (ISO 13485) gap analysis", "Registration dossier submitted",
              "Seed round closed", "First paying customer"]
FUNDERS = [("grant", "Chongqing Science and Technology Bureau"), ("grant", "Liangjiang New Area innovation fund"),
           ("angel", "Chongqing Angel Investment Alliance"), ("venture", "Chongqing Industry Guidance Fund"),
           ("venture", "Western China Healthcare Ventures"), ("prize", "Chongqing Innovation and Entrepreneurship "
                                                                      "Competition"), ("loan", "Bank of Chongqing")]


# How far each project's technology has come along the translation pipeline (issue 20); the others stay in
# screening. INC-09's combined antigen test is in pilot manufacture in the plant (production and qc demos).
TRANSLATION = {
    "INC-09": "pilot_manufacture", "INC-04": "company_founded", "INC-08": "company_founded",
    "INC-01": "company_founded", "INC-02": "simulated_company", "INC-05": "simulated_company",
    "INC-03": "evaluation", "INC-06": "evaluation", "INC-07": "evaluation", "INC-10": "evaluation",
    "INC-12": "evaluation", "INC-13": "evaluation", "INC-14": "evaluation",
}
TRANSLATION_EVIDENCE = {
    "evaluation": "Technology evaluation report accepted by the translation committee",
    "simulated_company": "Simulated-company business plan and team approved",
    "company_founded": "Business licence of the new company issued",
    "pilot_manufacture": "Pilot manufacture agreed with the plant (technology transfer file)",
    "on_market": "First certification and commercial shipment",
}


def seed_translation(user, today):
    """Move the demo projects along the translation pipeline, each move with its completed milestone as the
    evidence. Idempotent: a project already at (or past) its stage is left alone."""
    from incubator.models import TRANSLATION_ORDER

    moved = 0
    for project in Project.objects.filter(code__in=TRANSLATION).order_by("code"):
        target = TRANSLATION_ORDER.index(TRANSLATION[project.code])
        steps = TRANSLATION_ORDER[TRANSLATION_ORDER.index(project.translation_stage) + 1:target + 1]
        span = (today - project.entered_on).days
        for i, stage in enumerate(steps, start=1):
            day = project.entered_on + timedelta(days=max(1, int(span * i / (len(steps) + 1))))
            milestone = services.add_milestone(project, title=TRANSLATION_EVIDENCE[stage], due_on=day, user=user,
                                               reason="translation plan")
            milestone = services.complete_milestone(milestone, done_on=day, evidence=TRANSLATION_EVIDENCE[stage],
                                                    user=user, reason="evidence reviewed")
            project = services.move_translation_stage(project, stage, moved_on=day, milestone=milestone,
                                                      user=user, reason="translation committee decision")
            moved += 1
    return moved


def _quarters(today, count):
    year, quarter = today.year, (today.month - 1) // 3  # the last finished quarter
    out = []
    for _i in range(count):
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append(f"{year}-Q{quarter}")
        quarter -= 1
    return list(reversed(out))


def seed(ctx):
    user = ctx.users["incubator"]
    rng = ctx.random
    today = timezone.localdate()
    created = 0
    for code, name, company, lead, focus, months, path, space, equipment in PROJECTS:
        if Project.objects.filter(code=code).exists():
            continue
        entered = today - timedelta(days=int(months * 30.4))
        project = services.create_project({
            "code": code, "name": name, "company": company, "team_lead": lead, "focus_area": focus,
            "entered_on": entered, "space_m2": Decimal(space), "shared_equipment": equipment,
        }, user=user, reason="portfolio set-up")
        span = (today - entered).days
        for i, stage in enumerate(path, start=1):
            moved = entered + timedelta(days=min(span - 1, int(span * i / (len(path) + 0.6))))
            project = services.move_project_stage(project, stage, moved_on=moved, user=user,
                                                  reason="incubator board decision")
        for i, title in enumerate(rng.sample(MILESTONES, k=min(len(MILESTONES), 3 + len(path)))):
            due = entered + timedelta(days=90 * (i + 1))
            milestone = services.add_milestone(project, title=title, due_on=due, user=user, reason="project plan")
            if due < today - timedelta(days=20) and rng.random() < 0.8:
                services.complete_milestone(milestone, done_on=due - timedelta(days=rng.randint(0, 30)),
                                            evidence=f"Report {code}-M{i + 1} filed with the incubator office",
                                            user=user, reason="evidence reviewed")
        for _i in range(rng.randint(1, 1 + len(path) * 2) if path else rng.randint(0, 1)):
            kind, source = rng.choice(FUNDERS)
            day = entered + timedelta(days=rng.randint(0, max(span - 1, 0)))
            amount = Decimal(rng.choice([200, 300, 500, 800, 1000, 2000, 5000])) * 1000
            services.record_funding(project, kind=FundingEvent.Kind(kind), source=source, amount=amount,
                                    received_on=day, user=user, reason="funding agreement")
        if path and path[-1] not in ("exited",):
            staff, revenue = rng.randint(3, 8), Decimal(0)
            for period in _quarters(today, min(6, max(1, months // 3))):
                staff += rng.randint(0, 3)
                revenue = (revenue + Decimal(rng.randint(0, 400) * 1000)) if len(path) > 1 else Decimal(0)
                services.record_kpi(project, period=period, staff=staff, revenue=revenue,
                                    patents=rng.randint(0, 2), grants=rng.randint(0, 1), user=user,
                                    source="Company's quarterly report to the incubator office",
                                    reason="quarterly report")
        services.add_note(project, text=f"Kick-off meeting with {lead}; space of {space} m² assigned.",
                          user=user, reason="incubator office")
        created += 1
    ctx.log(f"{created} incubator projects created ({Project.objects.count()} in the portfolio)")
    ctx.log(f"{seed_translation(user, today)} translation-stage moves recorded")
