"""How fast the app answers while its database is unavailable (issue #15, outages): ``/healthz``, a signed-in
page and a token API call, with the database refusing connections (closed port / unopenable file) or at an
unreachable address (connect_timeout bounds the wait where the network drops packets). Writes
bench/results/outage.md; the max includes the first request of the process (templates loaded cold).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = {
    "sqlite, file cannot be opened": "sqlite:////nonexistent-lims-bench/db.sqlite3",
    "postgresql, connection refused": "postgres://lims@127.0.0.1:9/lims",
    "postgresql, unreachable address 10.255.255.1": "postgres://lims@10.255.255.1:5432/lims",
}


def run(label, url, repeat):
    os.environ.update({"DATABASE_URL": url, "SECRET_KEY": "bench", "INSECURE_HTTP": "1", "DB_POOL": "0",
                       "DJANGO_SETTINGS_MODULE": "lims.settings", "LOG_LEVEL": "CRITICAL"})
    import django

    django.setup()
    from django.test import Client

    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Token 0123456789abcdef")
    browser = Client(raise_request_exception=False)
    browser.cookies["sessionid"] = "bench-session-cookie"
    rows = []
    for name, call in (("GET /healthz", lambda: client.get("/healthz")),
                       ("GET / (session cookie)", lambda: browser.get("/")),
                       ("GET /api/v1/auth/me/ (token)", lambda: client.get("/api/v1/auth/me/"))):
        times, statuses = [], set()
        for _ in range(repeat):
            started = time.perf_counter()
            statuses.add(call().status_code)
            times.append(time.perf_counter() - started)
        rows.append(f"| {label} | {name} | {sorted(statuses)} | {statistics.median(times) * 1000:.0f} ms | "
                    f"{max(times) * 1000:.0f} ms |")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)  # bench/run.py passes it; the scenarios are fixed
    parser.add_argument("--scenario", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if args.scenario:  # one scenario per process (settings are read once)
        print("\n".join(run(args.scenario, SCENARIOS[args.scenario], args.repeat)))
        return
    if args.database_url:
        return  # the scenarios do not depend on the benchmark database
    import subprocess

    lines = ["# Answers during a database outage (bench/outage.py)", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M')} on the shared 2-core machine (load average "
             f"{os.getloadavg()[0]:.1f}); {args.repeat} requests each.", "",
             "| database | request | status | median | max |", "| --- | --- | --- | ---: | ---: |"]
    for label in SCENARIOS:
        out = subprocess.run([sys.executable, __file__, "--scenario", label, "--repeat", str(args.repeat)],
                             capture_output=True, text=True, cwd=ROOT)
        lines += [line for line in out.stdout.splitlines() if line.startswith("|")]
    (ROOT / "bench" / "results" / "outage.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
