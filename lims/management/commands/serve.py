"""``manage.py serve``: the web server (gunicorn), the background worker and the scheduler (celery beat) as one
foreground program — what ``make run`` starts. Ctrl-C (SIGINT) or SIGTERM stops all three; if one of them dies,
the others are stopped too and the exit status says so. Production runs the same three commands under systemd
(deploy/)."""

import os
import shutil
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

# One JSON object per access-log line, like the application's own logs (lims/logs.py).
ACCESS_LOG_FORMAT = ('{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
                     '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
                     '"duration_ms": %(M)s, "remote": "%(h)s"}')


def commands(host: str, port: int, web_workers: int, task_workers: int) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "lims.tasks.celery_app"]
    return {
        "web": [python, "-m", "gunicorn", "lims.wsgi:application", "--bind", f"{host}:{port}",
                "--workers", str(web_workers), "--timeout", "60", "--graceful-timeout", "10",
                "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT],
        "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", str(task_workers),
                   "--without-gossip", "--without-mingle", "--hostname", f"lims-worker-{port}@%h"],
        "scheduler": [*celery, "beat", "--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
    }


class Command(BaseCommand):
    help = "Serve with gunicorn and run the background worker and the scheduler beside it (Ctrl-C stops all)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2")))
        parser.add_argument("--task-workers", type=int, default=int(os.environ.get("TASK_CONCURRENCY", "2")))

    def handle(self, *args, host, port, web_workers, task_workers, **options):
        metrics = settings.VAR_DIR / "metrics"
        shutil.rmtree(metrics, ignore_errors=True)  # multiprocess counters start again with the processes
        metrics.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics), "PYTHONUNBUFFERED": "1"}
        children: dict[str, subprocess.Popen] = {}
        stopping = {"signal": None}

        def stop(signum, _frame):
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Each child in a session of its own: Ctrl-C reaches this launcher only, which stops them in order.
        for name, argv in commands(host, port, web_workers, task_workers).items():
            children[name] = subprocess.Popen(argv, env=env, start_new_session=True)
            self.stdout.write(f"  started {name} (pid {children[name].pid})")
        status = 0
        while stopping["signal"] is None:
            dead = {n: p.returncode for n, p in children.items() if p.poll() is not None}
            if dead:
                self.stderr.write(f"  stopped by itself: {dead}; stopping the others")
                status = 1
                break
            time.sleep(0.5)
        self.stdout.write("  stopping web, worker and scheduler …")
        for process in children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for name, process in children.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.stderr.write(f"  {name} did not stop in time: killed")
                process.kill()
                process.wait()
        self.stdout.write("  all stopped")
        sys.exit(status)
