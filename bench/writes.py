"""What a write costs (issue #14 point 6): a service-function create / update (``lims.services.create_record`` /
``update_record``: validation, row lock, version, history row with user and reason, hash chain) against a plain
``Model.save()`` of the same row, and the history write alone (save with history against save without).

    .venv/bin/python bench/writes.py                                    # SQLite (a temporary file)
    .venv/bin/python bench/writes.py --database-url postgres://postgres@127.0.0.1:5432/lims_hops
    .venv/bin/python bench/writes.py --profile create_record           # cProfile of one case, top 30

A fresh database is migrated (PostgreSQL: ``<name>_writes``, dropped afterwards). Every case writes ``--rows``
incubator projects (or edits them), one transaction per row as a request would, cases interleaved in rounds so
that a change in the machine's load hits every case alike; the median of the rounds is reported.

* ``plain save``: ``Project(...).save()`` in its own transaction, history switched off for that row
  (``skip_history_when_saving``) — the cost of the row itself.
* ``save + history``: the same save with simple-history on (history row, user, reason, chain hash).
* ``create_record`` / ``update_record``: the service functions every app calls.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results" / "writes.md"


def setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings_test")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return get_user_model().objects.create_superuser("bench-writer", password="bench-writer-pw")


def recreate_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    name = f"{name}_writes"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def drop_postgres(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def cases(user):
    from django.db import transaction

    from incubator.models import Project
    from lims.audit import audited
    from lims.services import create_record, update_record

    counter = {"n": 0}

    def data():
        counter["n"] += 1
        n = counter["n"]
        return {"code": f"W-{n:07d}", "name": f"Project {n}", "focus_area": "microbiology",
                "entered_on": "2025-05-01", "company": "Bench Ltd", "team_lead": "A. Lead"}

    def plain_create():
        with transaction.atomic(), audited(user=user, reason="bench"):
            obj = Project(**data())
            obj.skip_history_when_saving = True
            obj.save()
            del obj.skip_history_when_saving
        return obj

    def history_create():
        with transaction.atomic(), audited(user=user, reason="bench"):
            obj = Project(**data())
            obj.save()
        return obj

    def service_create():
        return create_record(Project, data(), user=user, reason="bench")

    targets = {}

    def editor(kind):
        def edit(obj):
            name = obj.name + "+"
            if kind == "service":
                return update_record(obj, {"name": name}, user=user, reason="bench")
            with transaction.atomic(), audited(user=user, reason="bench"):
                obj.name = name
                if kind == "plain":
                    obj.skip_history_when_saving = True
                obj.save()
                if kind == "plain":
                    del obj.skip_history_when_saving
            return obj
        return edit

    targets["plain"] = editor("plain")
    targets["history"] = editor("history")
    targets["service"] = editor("service")
    return {
        "create": {"plain save": plain_create, "save + history": history_create, "create_record": service_create},
        "update": {"plain save": targets["plain"], "save + history": targets["history"],
                   "update_record": targets["service"]},
        "make": plain_create,
    }


def run(user, rows, rounds):
    """Median over the rounds of wall time and of this process's CPU time per row, per case."""
    from django.db import connection

    made = cases(user)
    per_round = max(1, rows // rounds)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}

    def timed(key, fn, args):
        w0, c0 = time.perf_counter(), time.process_time()
        for a in args:
            fn(*a)
        times.setdefault(key, []).append(((time.perf_counter() - w0) / len(args),
                                          (time.process_time() - c0) / len(args)))

    for _r in range(rounds):
        for label, fn in made["create"].items():
            timed(("create", label), fn, [()] * per_round)
        for label, fn in made["update"].items():
            timed(("update", label), fn, [(made["make"](),) for _i in range(per_round)])
    medians = {k: (statistics.median(w for w, _c in v), statistics.median(c for _w, c in v))
               for k, v in times.items()}
    return connection.vendor, medians, per_round * rounds


def profile(user, case, rows):
    import cProfile
    import pstats

    made = cases(user)
    fns = {**made["create"], **{f"update {k}": v for k, v in made["update"].items()}}
    fn = fns[case]
    objs = [made["make"]() for _i in range(rows)] if case.startswith("update") or case == "update_record" else None
    prof = cProfile.Profile()
    prof.enable()
    if objs is not None:
        for obj in objs:
            fn(obj)
    else:
        for _i in range(rows):
            fn()
    prof.disable()
    pstats.Stats(prof).sort_stats(os.environ.get("BENCH_SORT", "cumulative")).print_stats(40)


def report(vendor, medians, rows, note):
    lines = [f"### {vendor} ({rows:,} rows per case{note})", "",
             "| case | wall µs per row | × plain save (wall) | CPU µs per row (this process) | × plain save (CPU) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for op in ("create", "update"):
        base_w, base_c = medians[(op, "plain save")]
        for (o, label), (w, c) in medians.items():
            if o == op:
                lines.append(f"| {op}: {label} | {w * 1e6:,.0f} | {w / base_w:.2f} | {c * 1e6:,.0f} | "
                             f"{c / base_c:.2f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default="")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", default="", help="case to profile: create_record, update_record, …")
    parser.add_argument("--note", default="", help="appended to the heading in the output")
    args = parser.parse_args(argv)
    url, tmp, pg = args.database_url, None, False
    if not url:
        fd, tmp = tempfile.mkstemp(suffix=".sqlite3")
        os.close(fd)
        url = f"sqlite:///{tmp}"
    elif url.startswith("postgres"):
        url, pg = recreate_postgres(url), True
    try:
        user = setup(url)
        if args.profile:
            profile(user, args.profile, args.rows)
            return
        vendor, medians, rows = run(user, args.rows, args.rounds)
        load = os.getloadavg()[0]
        text = report(vendor, medians, rows, f"; load average {load:.1f} on 2 shared cores{args.note}")
        print(text)
    finally:
        from django.db import connections

        connections.close_all()
        if pg:
            drop_postgres(url)
        if tmp is not None:
            os.unlink(tmp)


if __name__ == "__main__":
    main()
