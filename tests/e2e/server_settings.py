"""Settings of the server the browser tests start: production settings, static files aside.

The server runs `config.settings` unchanged except for where collected static
files go: a temporary folder per run, so parallel runs never race on the
project's `staticfiles/` (and `{% static %}` finds a manifest without a prior
`collectstatic`).
"""

import os
from pathlib import Path

from config.settings import *  # noqa: F403

STATIC_ROOT = Path(os.environ["PARLEY_E2E_STATIC_ROOT"])
