"""A long schemathesis run over the whole API (the bounded one runs in the test suite, tests/security/
test_schema.py): every operation as QA and as Auditor with ``--examples`` generated requests each, checking no
server errors, documented status codes and content types, and bodies that conform to the schema. Writes
bench/results/fuzz_api.md (requests, status codes, failures, time)."""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "50")))
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    env = dict(os.environ, SCHEMA_MAX_EXAMPLES=str(args.examples))
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    with tempfile.NamedTemporaryFile("r", suffix=".txt", delete=False) as handle:
        env["FUZZ_REPORT"] = handle.name
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:logging", "--show-capture=no",
                             "tests/security/test_schema.py", "-k", "conforms"], cwd=ROOT, env=env)
    seconds = time.perf_counter() - started
    report = Path(env["FUZZ_REPORT"]).read_text() if Path(env["FUZZ_REPORT"]).exists() else "(no report)\n"
    database = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    out = ROOT / "bench" / "results" / "fuzz_api.md"
    out.write_text(f"# API fuzzing (schemathesis)\n\n{args.examples} examples per operation and role, {database}, "
                   f"{seconds:.0f} s, load {os.getloadavg()[0]:.1f}\n\n```\n{report}```\n")
    print(out.read_text())
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
