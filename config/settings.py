"""Parley's one settings module.

Every value comes from the environment through django-environ. Defaults are
given only where they are safe for a bare checkout (SQLite, local-memory cache,
mail printed to the console); production values come from the environment.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

# Required when DEBUG is off, and checked where the site starts serving
# (config/checks.py), so that commands signing nothing run without it.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Parley")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks_db",
    "axes",
    "corsheaders",
    "ninja",
    "articles",
    "comments",
    "config.apps.ParleyConfig",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware, as django-cors-headers asks: answers the API's
    # preflight requests from the origins an operator lists.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "articles.redirects.OldAddressRedirectMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, so a locked-out login attempt never reaches the admin view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "config.context_processors.site",
            ],
        },
    },
    {
        # Every public page (templates/jinja2/) with the conversation and the
        # comment form (comments/jinja2/): see config/jinja2.py. The backend
        # gives templates request, csrf_input and csrf_token itself.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "config.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # The article page's few queries run on every uncached view: prepared
    # once per connection, PostgreSQL stops parsing and planning them each
    # time (about a third of their time). Turn this off behind a connection
    # pooler that cannot keep prepared statements (PgBouncer before 1.21 in
    # transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the task worker write while the web process reads.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A redis:// CACHE_URL is served by django-redis, which django-environ picks
# when it is installed: it keeps one Redis client per process, where Django's
# own backend builds a client for every call, a sixth of the time of an
# article page served from the cache.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://parley")}
# django-environ reads ?key_prefix= from CACHE_URL into a key Django ignores;
# the prefix lets several sites (or a CI run) share one Redis database.
if "key_prefix" in CACHES["default"]:
    CACHES["default"]["KEY_PREFIX"] = CACHES["default"].pop("key_prefix")
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

TASKS = {
    "default": {
        "BACKEND": env.str("TASK_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
LOGIN_URL = "admin:login"
# Where a login lands when its `next` is missing or off-site (never followed).
LOGIN_REDIRECT_URL = "admin:index"

# Login throttling (django-axes): lock a username+address pair after repeated
# failures, so guessing an editor's password is slow.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The page says how long the lock lasts and that only an operator lifts it sooner.
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# Failures are counted per visitor address as the flood limit finds it behind
# PROXY_COUNT proxies, so one client cannot lock an account for everyone
# sharing the proxy.
AXES_CLIENT_IP_CALLABLE = "comments.clients.client_ip"


def _mailer_from_url(url):
    """Return a MAILERS entry for an EMAIL_URL such as smtp://user:pw@host:25."""
    config = environ.Env.email_url_config(url)
    backend = config["EMAIL_BACKEND"]
    if backend.endswith("smtp.EmailBackend"):
        # Django's SMTP backend, telling a lost answer to the end of a message
        # (which the server may have taken) from a refusal.
        backend = "comments.notify.smtp.EmailBackend"
        options = {
            "host": config.get("EMAIL_HOST"),
            "port": config.get("EMAIL_PORT"),
            "username": config.get("EMAIL_HOST_USER") or None,
            "password": config.get("EMAIL_HOST_PASSWORD") or None,
            "use_tls": config.get("EMAIL_USE_TLS", False),
            "use_ssl": config.get("EMAIL_USE_SSL", False),
            # Seconds to wait for each answer of the mail server. RFC 5321
            # gives servers up to 10 minutes to answer the end of a message;
            # giving up sooner sends the email again when a slow server did
            # take it.
            "timeout": env.float("EMAIL_TIMEOUT", default=600),
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": config.get("EMAIL_FILE_PATH")}
    else:
        options = {}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer_from_url(env.str("EMAIL_URL", default="consolemail://"))}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Parley <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# The site, its emails and its admin are written in British English only.
# Without translation, every reverse() and date on a page skips looking up
# the active language (a twentieth of the article page served from the cache);
# dates keep LANGUAGE_CODE's formats.
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Tests and `make run` serve static files straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG or env.bool("WHITENOISE_USE_FINDERS", default=False)

# Security. Production values are on unless DEBUG is set.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "structured"}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Parley's own knobs: see README.md, "Configuration".
# The API (/api/v1/) answers browsers on other sites only from these origins,
# e.g. CORS_ALLOWED_ORIGINS=https://app.example.org. None by default.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

PARLEY = {
    "ARTICLES_PER_PAGE": env.int("ARTICLES_PER_PAGE", default=10),
    # Comments close this many days after an article is published; 0 never.
    # An article's own setting, on its admin page, comes first.
    "COMMENTS_CLOSE_AFTER_DAYS": env.int("COMMENTS_CLOSE_AFTER_DAYS", default=0),
    # Posting and screening comments (comments/moderation.py), and the
    # flood, report and proxy settings (comments/clients.py, comments/reports.py).
    "COMMENT_MIN_SECONDS": env.float("COMMENT_MIN_SECONDS", default=3.0),
    "COMMENT_FORM_MAX_AGE": env.int("COMMENT_FORM_MAX_AGE", default=2 * 60 * 60),
    "COMMENT_MAX_LINKS": env.int("COMMENT_MAX_LINKS", default=2),
    "COMMENT_MAX_DEPTH": env.int("COMMENT_MAX_DEPTH", default=4),
    "COMMENT_FLOOD_LIMIT": env.int("COMMENT_FLOOD_LIMIT", default=5),
    "COMMENT_FLOOD_WINDOW": env.int("COMMENT_FLOOD_WINDOW", default=10 * 60),
    "COMMENT_AUTO_APPROVE_AFTER": env.int("COMMENT_AUTO_APPROVE_AFTER", default=0),
    # A spam service beside the rules (comments/spam_services.py): Akismet
    # when its key is set, or the dotted path of another SpamService class.
    "AKISMET_API_KEY": env.str("AKISMET_API_KEY", default=""),
    "SPAM_SERVICE": env.str("SPAM_SERVICE", default=""),
    # Seconds a visitor's post waits for the service before it is held.
    "SPAM_SERVICE_TIMEOUT": env.float("SPAM_SERVICE_TIMEOUT", default=2.0),
    # Minutes after posting during which a writer may edit or delete their
    # comment (comments/editing.py).
    "COMMENT_EDIT_MINUTES": env.int("COMMENT_EDIT_MINUTES", default=15),
    "REPORTS_TO_HOLD": env.int("REPORTS_TO_HOLD", default=3),
    "REPORT_LIMIT": env.int("REPORT_LIMIT", default=5),
    "REPORT_WINDOW": env.int("REPORT_WINDOW", default=60 * 60),
    # Helpful marks (comments/helpful.py): the article page shows new counts
    # at most this many seconds after a click, and re-renders its cached
    # conversation for them at most once per this period.
    "HELPFUL_REFRESH_SECONDS": env.int("HELPFUL_REFRESH_SECONDS", default=60),
    # Helpful marks (and taking them back) one network may send per window (seconds).
    "HELPFUL_LIMIT": env.int("HELPFUL_LIMIT", default=60),
    "HELPFUL_WINDOW": env.int("HELPFUL_WINDOW", default=10 * 60),
    "PROXY_COUNT": env.int("PROXY_COUNT", default=0),
    # Notifications (comments/notify/). Seconds to wait before each retry of
    # an email the SMTP server refused: 6 attempts over about 1 h 50 min by
    # default, then the email is marked failed.
    "EMAIL_RETRY_DELAYS": env.list(
        "EMAIL_RETRY_DELAYS", cast=int, default=[60, 300, 900, 1800, 3600]
    ),
    # Minutes after which an email a worker took but never finished (the
    # worker died) is handed to another worker.
    # Also how long an email whose sending ended without the server's answer
    # ("unknown") waits for its one retry. Longer than EMAIL_TIMEOUT.
    "EMAIL_STUCK_MINUTES": env.float("EMAIL_STUCK_MINUTES", default=15),
    # Seconds between the worker's checks for such emails, and for task rows
    # a dead worker left running.
    "EMAIL_SWEEP_SECONDS": env.float("EMAIL_SWEEP_SECONDS", default=60),
    "MODERATION_LINK_DAYS": env.int("MODERATION_LINK_DAYS", default=7),
    "CONFIRMATION_LINK_DAYS": env.int("CONFIRMATION_LINK_DAYS", default=30),
    # At most one confirmation request per address in this many hours.
    "CONFIRMATION_RESEND_HOURS": env.int("CONFIRMATION_RESEND_HOURS", default=24),
    # At most this many confirmation requests from one network (an IPv4
    # address, an IPv6 /64) per window in seconds (comments/clients.py).
    "CONFIRMATION_LIMIT": env.int("CONFIRMATION_LIMIT", default=10),
    "CONFIRMATION_WINDOW": env.int("CONFIRMATION_WINDOW", default=60 * 60),
    # Optional mailbox offered in List-Unsubscribe beside the web link.
    "UNSUBSCRIBE_MAILTO": env.str("UNSUBSCRIBE_MAILTO", default=""),
    # Retention (comments/retention.py).
    "COMMENT_IP_RETENTION_DAYS": env.int("COMMENT_IP_RETENTION_DAYS", default=90),
    "SPAM_RETENTION_DAYS": env.int("SPAM_RETENTION_DAYS", default=30),
    "COMMENT_THREADS_PER_PAGE": env.int("COMMENT_THREADS_PER_PAGE", default=50),
}
