"""Run every benchmark of this folder (each ``bench/*.py`` script with a ``main()``), on SQLite and, when
``BENCH_DATABASE_URL`` is set, on PostgreSQL too. Each script writes its numbers to ``bench/results/``."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in {"run.py", "__init__.py"})
    targets = [None]
    if os.environ.get("BENCH_DATABASE_URL"):
        targets.append(os.environ["BENCH_DATABASE_URL"])
    failed = 0
    for script in scripts:
        for url in targets:
            args = [sys.executable, str(script)] + (["--database-url", url] if url else [])
            print("==", " ".join(args[1:]), flush=True)
            failed += subprocess.run(args, cwd=HERE.parent).returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
