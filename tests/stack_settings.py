"""Settings of the processes tests/stack.py starts: production settings, collected static files aside.

The processes run `config.settings` unchanged except for where collected
static files go: the run's own folder, so runs at the same time never race on
the project's `staticfiles/`.
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["PARLEY_TEST_STATIC_ROOT"])

# A test that locks the SQLite database waits this long for the lock, not the
# production twenty seconds (tests/integration/test_database_outages.py).
if (
    "PARLEY_TEST_SQLITE_TIMEOUT" in os.environ
    and DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"  # noqa: F405
):
    DATABASES["default"]["OPTIONS"]["timeout"] = float(  # noqa: F405
        os.environ["PARLEY_TEST_SQLITE_TIMEOUT"]
    )
