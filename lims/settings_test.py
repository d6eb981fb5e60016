"""Settings for the test suite: the real settings with LIMS_TESTING on (fast hashing, no connection pool)."""

import os

os.environ["LIMS_TESTING"] = "1"
# Tasks run in-process (eager) unless a test starts a real worker (tests/operations/test_broker.py); the broker
# is the embedded filesystem transport in a temporary folder, or BROKER_URL (CI: Redis), with a queue of this
# process's own so that nothing else consuming the same broker takes its messages.
os.environ.setdefault("TASKS_EAGER", "1")
os.environ.setdefault("VAR_DIR", __import__("tempfile").mkdtemp(prefix="lims-test-var-"))
os.environ["TASK_QUEUE"] = f"lims-test-{os.getpid()}-{__import__('uuid').uuid4().hex[:8]}"

from lims.settings import *  # noqa: F403

# A second database for the backup → restore drill (tests/operations/test_backup.py restores into it).
from lims.settings import DATABASES

DATABASES["restore"] = {**DATABASES["default"], "NAME": str(DATABASES["default"]["NAME"]) + "_restore",
                        "TEST": {"NAME": None}}
