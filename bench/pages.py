"""Pages and API lists on the generated five-year data (issue #14), served by gunicorn, at 1 and 20 clients,
interleaved with the Django admin changelist on the same table.

    .venv/bin/python bench/dataset.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench
    .venv/bin/python bench/pages.py --database-url postgres://postgres@127.0.0.1:5432/lims_bench

For every case (page 1, a deep page reached by its cursor link, a filter, a search) the script requests the
app's URL and the admin changelist of the same table (one client: ``--requests`` of each, in turn; twenty
clients: ``--seconds`` split into phases of app only, admin only, app, admin, each side's throughput over its
own phases) and records p50/p95 latency and throughput. It writes
``bench/results/pages-<database>.md`` (and ``pages.md`` with every run found) with the database, the row counts
measured, the load average, and the numbers. No timed assertion anywhere: these are measurements.
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
PORT = 8102


def setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
    os.environ.setdefault("SECRET_KEY", "bench-pages-only")
    import django

    django.setup()


def session_cookie(username="admin"):
    """A signed-in session for ``username`` written straight into the session store (no password round trip)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def token(username="admin"):
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=get_user_model().objects.get(username=username))[0].key


def cases():
    """(name, app URL, admin URL of the same table) for each list, depth, filter and search."""
    from lab.models import Sample
    from lims import history, paging
    from production.models import Batch, Product
    from production.monitoring.models import MonitoringPoint, Reading

    def deep_cursor(qs, depth):
        keys = paging.order_keys(qs)
        row = paging.with_keys(paging.ordered(qs, keys), keys)[depth]
        return paging.encode_cursor(keys, paging.row_values(row, keys), False)

    batches = Batch.objects.order_by("-manufactured_on", "-lot_number")
    n_batches = batches.count()
    deep_b = max(0, min(50_000, n_batches - 60))
    product = Product.objects.order_by("code").first()
    some_lot = batches[n_batches // 2].lot_number
    samples = Sample.objects.order_by("-received_at", "-id")
    n_samples = samples.count()
    deep_s = max(0, min(500_000, n_samples - 60))
    some_sample = samples[n_samples // 2]
    client_word = some_sample.client.name.split()[-1]  # a word of a client's name, as a person would type it
    audit = history.audit_page(size=50)
    for _i in range(20):  # 1,000 rows deep through the next links
        audit = history.audit_page(size=50, cursor=audit.next_cursor)
    point = MonitoringPoint.objects.order_by("code").first()
    readings = Reading.objects.filter(point=point).order_by("measured_at", "id")
    deep_r = max(0, readings.count() // 2)
    bp = deep_cursor(batches, deep_b)
    sp = deep_cursor(samples, deep_s)
    rc = deep_cursor(readings, deep_r)
    admin_b, admin_s = "/admin/production/batch/", "/admin/lab/sample/"
    return {
        "counts": {"batches": n_batches, "samples": n_samples, "readings of one point": readings.count(),
                   "readings": Reading.objects.count(), "history rows": history.audit_count().value},
        "cases": [
            ("batch list page 1", "/production/batches/", admin_b),
            (f"batch list row {deep_b:,}", f"/production/batches/?cursor={bp}", f"{admin_b}?p={max(1, deep_b // 100)}"),
            ("batch list filter", f"/production/batches/?status=released&product={product.pk}",
             f"{admin_b}?status__exact=released"),
            ("batch list search", f"/production/batches/?q={some_lot[-6:]}", f"{admin_b}?q={some_lot[-6:]}"),
            ("batch detail", f"/production/batches/{some_lot}/",
             f"{admin_b}{Batch.objects.get(lot_number=some_lot).pk}/change/"),
            ("API batches page 1", "/api/v1/production/batches/", admin_b),
            (f"API batches row {deep_b:,}", f"/api/v1/production/batches/?cursor={bp}",
             f"{admin_b}?p={max(1, deep_b // 100)}"),
            ("sample list page 1", "/lab/samples/", admin_s),
            (f"sample list row {deep_s:,}", f"/lab/samples/?cursor={sp}", f"{admin_s}?p={max(1, deep_s // 100)}"),
            ("sample list filter", "/lab/samples/?status=reported", f"{admin_s}?status__exact=reported"),
            ("sample list search", f"/lab/samples/?q={some_sample.barcode}",
             f"{admin_s}?q={some_sample.barcode}"),
            ("sample list search by client", f"/lab/samples/?q={quote(client_word)}",
             f"{admin_s}?q={quote(client_word)}"),
            ("sample detail", f"/lab/samples/{some_sample.pk}/", f"{admin_s}{some_sample.pk}/change/"),
            ("API samples page 1", "/api/v1/lab/samples/", admin_s),
            (f"API samples row {deep_s:,}", f"/api/v1/lab/samples/?cursor={sp}",
             f"{admin_s}?p={max(1, deep_s // 100)}"),
            ("/audit/ page 1", "/audit/", None),
            ("/audit/ row 1,000", f"/audit/?cursor={audit.next_cursor}", None),
            ("API audit-log page 1", "/api/v1/audit-log/", None),
            (f"API readings of {point.code}, row {deep_r:,}",
             f"/api/v1/production/readings/?point={point.pk}&cursor={rc}", None),
        ],
    }


class Client:
    def __init__(self, base, cookie, api_token):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookie, self.token = cookie, api_token
        self.conn = None

    def get(self, path):
        headers = {"Cookie": self.cookie, "Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        if path.startswith("/api/"):
            headers = {"Authorization": f"Token {self.token}", "Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
            return elapsed
        raise RuntimeError("unreachable")


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return (values[lo] + (values[hi] - values[lo]) * (k - lo)) * 1000


def one_client(base, cookie, api_token, app, admin, n, warm=1):
    """``n`` requests of ``app`` and of ``admin`` in turn, after ``warm`` unmeasured requests of each (the first
    case warms every gunicorn worker: its templates and connections are made on a worker's first request)."""
    client = Client(base, cookie, api_token)
    for _i in range(warm):
        client.get(app)
        if admin:
            client.get(admin)
    app_t, admin_t = [], []
    for _i in range(n):
        app_t.append(client.get(app))
        if admin:
            admin_t.append(client.get(admin))
    return app_t, admin_t


def _hammer(base, cookie, api_token, path, clients, seconds):
    """``clients`` threads requesting ``path`` back to back for ``seconds``: (latencies, elapsed)."""
    latencies, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def work():
        client = Client(base, cookie, api_token)
        mine = []
        try:
            while time.monotonic() < stop:
                mine.append(client.get(path))
        except Exception as exc:
            errors.append(str(exc))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(errors[0])
    return latencies, time.monotonic() - started


def many_clients(base, cookie, api_token, app, admin, clients, seconds):
    """Throughput of the app's URL and of the admin changelist, each under ``clients`` concurrent clients of its
    own: phases of app, admin, app, admin (a quarter of ``seconds`` each), so that both meet the same background
    load; each side's rate is its requests over its own phases' time. (Threads that alternated the two URLs
    would force equal counts and hide the difference.)"""
    results = {"app": [], "admin": []}
    spent = {"app": 0.0, "admin": 0.0}
    phases = ("app", "admin", "app", "admin") if admin else ("app", "app")
    for side in phases:
        latencies, elapsed = _hammer(base, cookie, api_token, app if side == "app" else admin, clients,
                                     seconds / len(phases))
        results[side].extend(latencies)
        spent[side] += elapsed
    return results, spent


def serve(database_url, workers, port):
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="bench-pages-only", DEBUG="0",
               BEHIND_TLS_PROXY="1", SECURE_SSL_REDIRECT="0", DJANGO_SETTINGS_MODULE="lims.settings")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "lims.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--timeout", "300", "--log-level", "warning"], cwd=ROOT, env=env)
    for _i in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--requests", type=int, default=30, help="requests of each URL at one client")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10, help="duration of each 20-client run")
    parser.add_argument("--only", default="", help="comma-separated case name prefixes for the 20-client runs")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    setup(args.database_url)
    from django.db import connection

    vendor = connection.vendor
    cookie, api_token = session_cookie(), token()
    plan = cases()
    connection.close()
    process = serve(args.database_url, args.workers, args.port)
    base = f"http://127.0.0.1:{args.port}"
    load_before = os.getloadavg()
    rows = []
    try:
        for index, (name, app, admin) in enumerate(plan["cases"]):
            app_t, admin_t = one_client(base, cookie, api_token, app, admin, args.requests,
                                        warm=args.workers * 3 if index == 0 else 1)
            row = {"name": name, "p50": pct(app_t, 0.5), "p95": pct(app_t, 0.95),
                   "admin_p50": pct(admin_t, 0.5) if admin else None,
                   "admin_p95": pct(admin_t, 0.95) if admin else None}
            heavy = [p for p in args.only.split(",") if p] or ["batch list page 1", "batch list row", "sample list row",
                                                               "API samples row", "/audit/ page 1"]
            if any(name.startswith(p) for p in heavy):
                res, spent = many_clients(base, cookie, api_token, app, admin, args.clients, args.seconds)
                row.update(c_p50=pct(res["app"], 0.5), c_p95=pct(res["app"], 0.95),
                           c_rate=len(res["app"]) / spent["app"],
                           c_admin_rate=len(res["admin"]) / spent["admin"] if admin else None,
                           c_admin_p95=pct(res["admin"], 0.95) if admin else None)
            rows.append(row)
            print(row, flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
    load_after = os.getloadavg()
    report = render(vendor, plan["counts"], rows, args, load_before, load_after)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"pages-{vendor}{args.label}.md").write_text(report)
    combined = "\n\n".join(p.read_text() for p in sorted(RESULTS.glob("pages-*.md")))
    (RESULTS / "pages.md").write_text("# Pages and API lists on the generated data (bench/pages.py)\n\n" + combined)
    print(report)


def _ms(v):
    return "—" if v is None else f"{v:,.0f}" if v >= 100 else f"{v:,.1f}"


def render(vendor, counts, rows, args, load_before, load_after):
    lines = [f"## {vendor}{args.label}", "",
             f"Data: {', '.join(f'{v:,} {k}' for k, v in counts.items())}. gunicorn {args.workers} workers on this "
             f"2-core machine shared with other work; load average {load_before[0]:.1f} before, "
             f"{load_after[0]:.1f} after. One client: {args.requests} requests of each URL, alternating with the "
             f"admin changelist of the same table. {args.clients} clients: {args.seconds:.0f} s per case in four "
             "phases (app, admin, app, admin), each side's rate over its own phases.", "",
             "| case | 1 client p50 / p95 ms | admin p50 / p95 ms | 20 clients p50 / p95 ms | 20 clients req/s "
             "(app / admin) |", "| --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        admin = f"{_ms(r['admin_p50'])} / {_ms(r['admin_p95'])}" if r["admin_p50"] is not None else "—"
        many = f"{_ms(r['c_p50'])} / {_ms(r['c_p95'])}" if "c_p50" in r else ""
        rate = (f"{r['c_rate']:.1f} / {r['c_admin_rate']:.1f}" if r.get("c_admin_rate") is not None
                else f"{r['c_rate']:.1f}" if "c_rate" in r else "")
        lines.append(f"| {r['name']} | {_ms(r['p50'])} / {_ms(r['p95'])} | {admin} | {many} | {rate} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
