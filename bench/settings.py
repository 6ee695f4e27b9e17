"""Settings for `make bench`: the real site plus two reference views.

Everything else (middleware, templates, database, cache) is the production
configuration read from the environment, so the reference views pay the same
per-request costs as the article page they are compared with.
"""

from config.settings import *  # noqa: F403
from config.settings import BASE_DIR, TEMPLATES

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
