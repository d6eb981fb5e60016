"""Five years of one plant (issue #14): a generated dataset for the page and API benchmarks, on SQLite or PostgreSQL.

    .venv/bin/python bench/dataset.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench --scale 1
    .venv/bin/python bench/dataset.py --database-url sqlite:////tmp/lims-bench.sqlite3 --scale 0.1

At ``--scale 1``: 50,054 batches (4 history rows each: created, started, completed, released/rejected), one
release inspection per batch with a result per release specification of the product (history: recorded,
reviewed, approved; results: created), a disposition per disposed batch, 1,000,000 lab samples (received,
testing, reported: 3 history rows each), and 10,000,000 environmental readings spread over the monitoring points.

Master data (users, products, BOMs, lines, specifications, points, limits, clients, assays) come from
``seed_demo`` through the services. The bulk rows are a generator's, not a service path: they are inserted in
bulk (COPY on PostgreSQL, executemany on SQLite) with explicit ids, but they are the rows the services would
write — valid states and quantities, expiry from the shelf life, lot numbers from the lot pattern (and their
counters), four-eyes reviews, readings within the limits (so no excursions are owed) — and every historical row
carries the acting user, the service's action code as reason with ``history_reason_system`` set, and its link
in the table's integrity chain (``history_hash``, ``lims.integrity``): each historical table's rows are hashed
in id order from the head the demo left, exactly as ``lims.integrity.chain`` hashes a service's rows, so that
``verify_audit`` passes on the generated data.

The window ends the day before the earliest batch the demo made, so generated lot numbers never collide with
the demo's. Rerunnable on an empty database only (it refuses when generated rows exist).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL = {"batches": 50_054, "samples": 1_000_000, "readings": 10_000_000}
YEARS = 5
CHUNK = 20_000


class Progress:
    """A one-line progress bar on stderr (no dependency)."""

    def __init__(self, label, total, quiet=False):
        self.label, self.total, self.done, self.quiet = label, max(total, 1), 0, quiet
        self.started = self.last = time.monotonic()

    def add(self, n):
        self.done += n
        now = time.monotonic()
        if not self.quiet and (now - self.last > 0.5 or self.done >= self.total):
            self.last = now
            width = 30
            filled = int(width * min(self.done, self.total) / self.total)
            rate = self.done / max(now - self.started, 1e-9)
            sys.stderr.write(f"\r{self.label:<12} [{'#' * filled}{'.' * (width - filled)}] "
                             f"{self.done:>11,}/{self.total:,} {rate:>9,.0f}/s")
            sys.stderr.flush()

    def close(self):
        if not self.quiet:
            sys.stderr.write("\n")
        return time.monotonic() - self.started


class Table:
    """Buffered bulk insert of rows given as ``{attname: value}`` with explicit ids. A historical table's rows
    are linked into its integrity chain as they are added (ids must be added in increasing order, continuing
    the table's last id)."""

    def __init__(self, model, connection):
        self.model = model
        self.connection = connection
        self.fields = list(model._meta.concrete_fields)
        self.chain = None
        if any(f.attname == "history_hash" for f in self.fields):
            from lims import integrity

            last_id, previous = integrity._chain_head(model, connection.alias)
            self.chain = {"cols": integrity.columns(model, connection.alias), "table": model._meta.db_table,
                          "last_id": last_id, "previous": previous, "canonical": integrity.canonical,
                          "hash": integrity.row_hash}
        self.columns = [f.column for f in self.fields]
        self.rows: list[tuple] = []
        self.pg = connection.vendor == "postgresql"
        self.converters = [self._converter(f) for f in self.fields]
        self.written = 0
        self.defaults = {}
        for f in self.fields:
            if f.has_default() and not callable(f.default):
                self.defaults[f.attname] = f.default
            elif f.has_default() or f.null:
                self.defaults[f.attname] = None
            elif f.get_internal_type() in ("CharField", "TextField"):
                self.defaults[f.attname] = ""
        self.attnames = [f.attname for f in self.fields]

    def _converter(self, f):
        kind = f.get_internal_type()
        if self.pg:
            return None
        if kind == "DateTimeField":
            return lambda v: None if v is None else str(v.astimezone(UTC).replace(tzinfo=None))
        if kind == "DateField":
            return lambda v: None if v is None else v.isoformat()
        if kind == "DecimalField":
            return lambda v: None if v is None else str(v)
        if kind == "BooleanField":
            return lambda v: None if v is None else int(v)
        return None

    def add(self, values: dict):
        if self.chain is not None:
            values = self._link(values)
        row = []
        for name, conv in zip(self.attnames, self.converters, strict=True):
            v = values[name] if name in values else self.defaults.get(name)
            row.append(conv(v) if conv is not None and v is not None else v)
        self.rows.append(tuple(row))
        if len(self.rows) >= CHUNK:
            self.flush()

    def _link(self, values: dict) -> dict:
        """The row with its ``history_hash``: sha256 over the table, the previous row's hash and the row's
        canonical content (``lims.integrity``), on the values as they will be stored (defaults filled in)."""
        c = self.chain
        full = {name: values[name] if name in values else self.defaults.get(name) for name in self.attnames}
        if full["history_id"] != c["last_id"] + 1:
            raise ValueError(f"{c['table']}: history id {full['history_id']} does not follow {c['last_id']}")
        content = c["canonical"](c["cols"], [full[col.attname] for col in c["cols"]])
        full["history_hash"] = c["previous"] = c["hash"](c["table"], c["previous"], content)
        c["last_id"] = full["history_id"]
        return full

    def flush(self):
        if not self.rows:
            return
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        cols = ", ".join(self.connection.ops.quote_name(c) for c in self.columns)
        with self.connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", self.rows)
        self.written += len(self.rows)
        self.rows = []


def history_row(obj: dict, *, hid, when, kind, user_id, reason):
    row = dict(obj)
    row.update(history_id=hid, history_date=when, history_type=kind, history_user_id=user_id,
               history_change_reason=reason, history_reason_system=True)  # history_hash: Table links it
    return row


def next_id(model):
    from django.db.models import Max

    return (model._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1


def next_history_id(model):
    from django.db.models import Max

    hist = model.history.model
    return (hist.objects.aggregate(m=Max("history_id"))["m"] or 0) + 1


def local_dt(day: date, minutes: float, tz):
    return datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(minutes=minutes)


def generate(scale: float = 1.0, *, seed: int = 14, quiet: bool = False, log=print) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from lab.models import Assay, Client, Sample
    from production.models import Batch, Line, LotSequence, Product
    from production.monitoring.models import MonitoringPoint, Reading
    from qc.models import Disposition, Inspection, InspectionResult, Specification

    rnd = random.Random(seed)
    tz = timezone.get_current_timezone()
    from django.contrib.auth import get_user_model

    users = {u.username: u.pk for u in get_user_model().objects.all()}
    prod_user = users.get("production") or next(iter(users.values()))
    qc_user, qa_user, lab_user = users.get("qc", prod_user), users.get("qa", prod_user), users.get("lab", prod_user)
    reviewer = users.get("admin", qa_user)

    if Sample.objects.filter(barcode__startswith="G").exists():
        raise SystemExit("generated rows exist already: use an empty database")
    n_batches = max(1, round(FULL["batches"] * scale))
    n_samples = max(1, round(FULL["samples"] * scale))
    n_readings = max(1, round(FULL["readings"] * scale))
    first_demo = Batch.objects.order_by("manufactured_on").values_list("manufactured_on", flat=True).first()
    end = (first_demo or timezone.localdate()) - timedelta(days=1)
    start = end - timedelta(days=round(365.25 * YEARS))
    days = (end - start).days + 1
    stats = {"scale": scale, "window": f"{start} – {end}"}

    products = list(Product.objects.all())
    lines = list(Line.objects.filter(active=True))
    boms = {p.pk: p.boms.filter(is_current=True).values_list("pk", flat=True).first() for p in products}
    specs = {p.pk: list(Specification.objects.filter(product=p, stage="release", active=True)
                        if hasattr(Specification, "active") else Specification.objects.filter(product=p,
                                                                                              stage="release"))
             for p in products}
    from production.services import _SequenceSlot, lot_number_pattern

    pattern = lot_number_pattern()

    # --- batches, inspections, results, dispositions ---------------------------------------------------
    batches, bhist = Table(Batch, connection), Table(Batch.history.model, connection)
    insp, ihist = Table(Inspection, connection), Table(Inspection.history.model, connection)
    res, rhist = Table(InspectionResult, connection), Table(InspectionResult.history.model, connection)
    disp, dhist = Table(Disposition, connection), Table(Disposition.history.model, connection)
    seqs: dict[str, int] = {}
    ids = {m: next_id(m) for m in (Batch, Inspection, InspectionResult, Disposition, Sample, Reading)}
    hids = {m: next_history_id(m) for m in (Batch, Inspection, InspectionResult, Disposition, Sample)}
    taken = set(Batch.objects.values_list("lot_number", flat=True))
    bar = Progress("batches", n_batches, quiet)
    with transaction.atomic():
        for i in range(n_batches):
            day = start + timedelta(days=int(i * days / n_batches))
            product, line = rnd.choice(products), rnd.choice(lines)
            values = {"yymmdd": day.strftime("%y%m%d"), "yyyymmdd": day.strftime("%Y%m%d"), "line": line.code,
                      "product": product.code}
            prefix_key = pattern.format(**values, seq=_SequenceSlot())
            while True:
                seqs[prefix_key] = seqs.get(prefix_key, 0) + 1
                lot = pattern.format(**values, seq=seqs[prefix_key])
                if lot not in taken:
                    break
            planned = rnd.choice([500, 1000, 2000, 5000])
            made = planned - rnd.randint(0, planned // 50)
            rejected = rnd.randint(0, made // 100)
            created = local_dt(day - timedelta(days=2), 9 * 60, tz)
            started = local_dt(day, 8 * 60 + rnd.randint(0, 120), tz)
            completed = started + timedelta(hours=rnd.randint(4, 10))
            decided = completed + timedelta(days=rnd.randint(1, 5))
            status = "released" if rnd.random() > 0.03 else rnd.choice(["rejected", "quarantined"])
            released = made - rejected if status == "released" else 0
            bid = ids[Batch]
            ids[Batch] += 1
            row = {"id": bid, "lot_number": lot, "product_id": product.pk, "line_id": line.pk,
                   "bom_id": boms[product.pk], "planned_quantity": planned, "manufactured_on": day,
                   "expiry_date": product.expiry_for(day), "status": "planned", "started_at": None,
                   "completed_at": None, "quantity_made": 0, "quantity_rejected": 0, "quantity_released": 0,
                   "quantity_shipped": 0, "version": 1, "created_at": created, "updated_at": created}
            steps = [(created, "+", "production.create_batch", {}),
                     (started, "~", "production.start_batch", {"status": "in_production", "started_at": started}),
                     (completed, "~", "production.complete_batch", {
                         "status": "awaiting_qc", "completed_at": completed, "quantity_made": made,
                         "quantity_rejected": rejected}),
                     (decided, "~", "qc.dispose_batch", {"status": status, "quantity_released": released})]
            for n, (when, kind, reason, change) in enumerate(steps, start=1):
                row.update(change, version=n, updated_at=when)
                user = qa_user if reason == "qc.dispose_batch" else prod_user
                bhist.add(history_row(row, hid=hids[Batch], when=when, kind=kind, user_id=user, reason=reason))
                hids[Batch] += 1
            batches.add(row)
            # The release inspection (recorded by QC, reviewed and approved by two other people).
            iid = ids[Inspection]
            ids[Inspection] += 1
            recorded = completed + timedelta(hours=2)
            irow = {"id": iid, "batch_id": bid, "material_lot_id": None, "stage": "release", "lot_size": made,
                    "aql": "1.0", "level": "II", "code_letter": "K", "sample_size": 125, "accept": 3, "reject": 4,
                    "status": "recorded", "notes": "", "recorded_by_id": qc_user, "recorded_at": recorded,
                    "reviewed_by_id": None, "reviewed_at": None, "approved_by_id": None, "approved_at": None,
                    "version": 1, "created_at": recorded, "updated_at": recorded}
            for n, (when, kind, reason, change) in enumerate([
                    (recorded, "+", "qc.record_inspection", {}),
                    (recorded + timedelta(hours=3), "~", "qc.review_inspection",
                     {"status": "reviewed", "reviewed_by_id": reviewer, "reviewed_at": recorded + timedelta(hours=3)}),
                    (recorded + timedelta(hours=20), "~", "qc.approve_inspection",
                     {"status": "approved", "approved_by_id": qa_user,
                      "approved_at": recorded + timedelta(hours=20)})], start=1):
                irow.update(change, version=n, updated_at=when)
                ihist.add(history_row(irow, hid=hids[Inspection], when=when, kind=kind,
                                      user_id=qc_user if n == 1 else irow["reviewed_by_id"] if n == 2 else qa_user,
                                      reason=reason))
                hids[Inspection] += 1
            insp.add(irow)
            fail = status == "rejected"
            for k, spec in enumerate(specs[product.pk]):
                rid = ids[InspectionResult]
                ids[InspectionResult] += 1
                passed = not (fail and k == 0)
                if spec.kind == "numeric":
                    lo, hi = spec.lower, spec.upper
                    if passed:
                        value = (lo + hi) / 2 if lo is not None and hi is not None else (
                            lo + abs(lo) / 2 + 1 if lo is not None else hi - abs(hi) / 2 - 1)
                    else:
                        value = hi + abs(hi) + 1 if hi is not None else lo - abs(lo) - 1
                    rrow = {"value": Decimal(value).quantize(Decimal("0.0001")), "passed": None, "defects": None}
                else:
                    rrow = {"value": None, "passed": passed, "defects": 0 if passed else 5}
                rrow.update(id=rid, inspection_id=iid, specification_id=spec.pk, text="",
                            outcome="pass" if passed else "fail", version=1, created_at=recorded,
                            updated_at=recorded)
                res.add(rrow)
                rhist.add(history_row(rrow, hid=hids[InspectionResult], when=recorded, kind="+", user_id=qc_user,
                                      reason="qc.record_inspection"))
                hids[InspectionResult] += 1
            did = ids[Disposition]
            ids[Disposition] += 1
            drow = {"id": did, "batch_id": bid, "decision": {"released": "release", "rejected": "reject",
                                                             "quarantined": "quarantine"}[status],
                    "quantity_released": released, "comment": "", "decided_by_id": qa_user, "decided_at": decided,
                    "version": 1, "created_at": decided,
                    "updated_at": decided}
            disp.add(drow)
            dhist.add(history_row(drow, hid=hids[Disposition], when=decided, kind="+", user_id=qa_user,
                                  reason="qc.dispose_batch"))
            hids[Disposition] += 1
            if i % 1000 == 999:
                for t in (batches, bhist, insp, ihist, res, rhist, disp, dhist):
                    t.flush()
                bar.add(1000)
        for t in (batches, bhist, insp, ihist, res, rhist, disp, dhist):
            t.flush()
        bar.add(n_batches - bar.done)
        for prefix_key, last in seqs.items():
            LotSequence.objects.update_or_create(prefix=prefix_key, defaults={"last_value": last})
    stats["batches"] = {"rows": batches.written, "history": bhist.written, "seconds": round(bar.close(), 1)}
    stats["inspections"] = {"rows": insp.written, "history": ihist.written}
    stats["inspection_results"] = {"rows": res.written, "history": rhist.written}
    stats["dispositions"] = {"rows": disp.written, "history": dhist.written}

    # --- lab samples --------------------------------------------------------------------------------------
    clients, assays = list(Client.objects.values_list("pk", flat=True)), list(Assay.objects.all())
    samples, shist = Table(Sample, connection), Table(Sample.history.model, connection)
    bar = Progress("samples", n_samples, quiet)
    minutes = days * 24 * 60
    with transaction.atomic():
        for i in range(n_samples):
            received = local_dt(start, i * minutes / n_samples, tz)
            assay = rnd.choice(assays)
            sid = ids[Sample]
            ids[Sample] += 1
            barcode = "G" + timezone.localtime(received).strftime("%y%m%d") + f"{i:07d}"
            row = {"id": sid, "barcode": barcode, "client_id": rnd.choice(clients), "assay_id": assay.pk,
                   "status": "received", "received_at": received, "started_at": None, "reported_at": None,
                   "rejected_at": None, "result": "", "result_value": None, "result_unit": "",
                   "rejection_reason": "", "version": 1, "created_at": received, "updated_at": received}
            started = received + timedelta(minutes=rnd.randint(10, 120))
            reported = started + timedelta(minutes=rnd.randint(30, int(assay.tat_target_hours * 60 * 1.3) + 30))
            value = Decimal(rnd.randint(1, 5000)) / 100
            for n, (when, kind, reason, change) in enumerate([
                    (received, "+", "lab.receive_samples", {}),
                    (started, "~", "lab.start_testing", {"status": "in_testing", "started_at": started}),
                    (reported, "~", "lab.report_result", {"status": "reported", "reported_at": reported,
                                                          "result": f"{value} mg/L", "result_value": value,
                                                          "result_unit": "mg/L", "reported_by_id": lab_user})],
                    start=1):
                row.update(change, version=n, updated_at=when)
                shist.add(history_row(row, hid=hids[Sample], when=when, kind=kind, user_id=lab_user,
                                      reason=reason))
                hids[Sample] += 1
            samples.add(row)
            if i % 5000 == 4999:
                bar.add(5000)
        samples.flush()
        shist.flush()
        bar.add(n_samples - bar.done)
    stats["samples"] = {"rows": samples.written, "history": shist.written, "seconds": round(bar.close(), 1)}

    # --- readings -----------------------------------------------------------------------------------------
    points = list(MonitoringPoint.objects.filter(active=True))
    readings = Table(Reading, connection)
    per_point = n_readings // len(points)
    step = max(60, (days * 24 * 3600) // max(per_point, 1) // 60 * 60)  # seconds between two readings of a point
    bar = Progress("readings", per_point * len(points), quiet)
    begin = local_dt(start, 0, tz)
    with transaction.atomic():
        for point in points:
            base = {"point_id": point.pk, "corrected_reading_id": None, "correction_reason": "",
                    "recorded_by_id": prod_user, "particles_0_5um": None, "particles_5um": None,
                    "temperature_c": None, "humidity_pct": None, "pressure_pa": None}
            for k in range(per_point):
                row = dict(base)
                row["id"] = ids[Reading]
                ids[Reading] += 1
                row["measured_at"] = begin + timedelta(seconds=k * step)
                if point.measures_particles:
                    row["particles_0_5um"] = float(rnd.randint(100, 2000))
                    row["particles_5um"] = float(rnd.randint(0, 20))
                if point.measures_temperature:
                    row["temperature_c"] = round(21 + rnd.uniform(-0.8, 0.8), 2)
                if point.measures_humidity:
                    row["humidity_pct"] = round(45 + rnd.uniform(-4, 4), 1)
                if point.measures_pressure:
                    row["pressure_pa"] = round(15 + rnd.uniform(-2, 2), 1)
                readings.add(row)
                if k % 10_000 == 9_999:
                    bar.add(10_000)
        readings.flush()
        bar.add(bar.total - bar.done)
    stats["readings"] = {"rows": readings.written, "points": len(points), "step_seconds": step,
                         "seconds": round(bar.close(), 1)}

    _reset_sequences(connection, [Batch, Inspection, InspectionResult, Disposition, Sample, Reading,
                                  Batch.history.model, Inspection.history.model, InspectionResult.history.model,
                                  Disposition.history.model, Sample.history.model])
    from lab import rollup

    started = time.monotonic()  # the samples went in without the services: recompute their throughput rollup
    stats["lab_rollup"] = {"rows": rollup.rebuild(), "seconds": round(time.monotonic() - started, 1)}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The app's statement timeout is for requests, not for this. VACUUM sets the visibility map that
            # autovacuum would set on a live database (index-only scans, the bounded counts, stay index-only).
            cursor.execute("SET statement_timeout = 0")
            # VACUUM cannot run inside a transaction (a test's): ANALYZE alone there.
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return stats


def _reset_sequences(connection, models):
    from django.core.management.color import no_style

    sql = connection.ops.sequence_reset_sql(no_style(), models)
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", f"sqlite:///{ROOT}/bench-data.sqlite3"))
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the five-year sizes (default 1)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    os.environ.setdefault("SECRET_KEY", "bench-dataset-only")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    stats = generate(args.scale, seed=args.seed, quiet=args.quiet)
    stats["total_seconds"] = round(time.monotonic() - started, 1)
    print(stats)
    return stats


if __name__ == "__main__":
    main()
