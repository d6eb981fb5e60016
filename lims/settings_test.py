"""Settings for the test suite: the real settings with LIMS_TESTING on (fast hashing, no connection pool)."""

import os

os.environ["LIMS_TESTING"] = "1"

from lims.settings import *  # noqa: F403
