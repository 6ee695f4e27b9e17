"""What the site needs before it serves, checked where it starts serving.

The settings do not stop at a missing SECRET_KEY: commands that sign nothing
(makemigrations, collectstatic while a release is built) run without one.
The web process refuses to start without it (config.wsgi), and
`manage.py check --deploy` reports it.
"""

from django.conf import settings
from django.core import checks
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_MESSAGE = (
    "Set the SECRET_KEY environment variable: it is required when DEBUG is off "
    "(set DEBUG=1 for local development)."
)


def require_secret_key():
    """Raise ImproperlyConfigured, naming the variable, when there is no key to sign with."""
    try:
        settings.SECRET_KEY  # noqa: B018 - Django refuses an empty key here
    except ImproperlyConfigured:
        raise ImproperlyConfigured(MISSING_KEY_MESSAGE) from None


@register(Tags.security, deploy=True)
def secret_key_is_set(app_configs, **kwargs):
    try:
        require_secret_key()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="parley.E001")]
    return []


@register()
def stuck_emails_wait_longer_than_the_mail_server(app_configs, **kwargs):
    """Warn when a slow but live send could be taken for a dead worker's, and sent twice."""
    timeout = settings.MAILERS["default"].get("OPTIONS", {}).get("timeout")
    stuck_seconds = settings.PARLEY["EMAIL_STUCK_MINUTES"] * 60
    if timeout is None or stuck_seconds > timeout:
        return []
    return [
        checks.Warning(
            f"EMAIL_STUCK_MINUTES ({settings.PARLEY['EMAIL_STUCK_MINUTES']}) is not "
            f"longer than EMAIL_TIMEOUT ({timeout} s): an email still waiting for "
            "a slow mail server would be handed to another worker and sent twice.",
            hint="Raise EMAIL_STUCK_MINUTES above EMAIL_TIMEOUT (defaults: 15 "
            "minutes and 600 s).",
            id="parley.W010",
        )
    ]


@register()
def thread_depth_fits_the_path_column(app_configs, **kwargs):
    """Warn when COMMENT_MAX_DEPTH promises more levels than a comment's path can hold."""
    # Read here, not at import: config.wsgi imports this module before the
    # apps, and their models, are loaded.
    from comments.nesting import DEEPEST_PATH_FITS

    wanted = settings.PARLEY["COMMENT_MAX_DEPTH"]
    if wanted <= DEEPEST_PATH_FITS:
        return []
    return [
        checks.Warning(
            f"COMMENT_MAX_DEPTH ({wanted}) is more than the {DEEPEST_PATH_FITS} "
            "levels a comment's path column holds: replies attach at level "
            f"{DEEPEST_PATH_FITS}.",
            hint=f"Set COMMENT_MAX_DEPTH to {DEEPEST_PATH_FITS} or fewer.",
            id="parley.W020",
        )
    ]
