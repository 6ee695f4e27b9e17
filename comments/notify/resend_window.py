"""How often one address may be asked to confirm: once per CONFIRMATION_RESEND_HOURS.

Both requests, confirming an address for reply emails and confirming that
its owner wrote a comment, are emails anyone can cause by typing an address
into the form; the window keeps them from filling a stranger's inbox.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from comments.models import Notification, normalize_email


def asked_recently(kind, email):
    """Return the Notifications of `kind` to `email` created within the resend window."""
    since = timezone.now() - timedelta(
        hours=settings.PARLEY["CONFIRMATION_RESEND_HOURS"]
    )
    return Notification.objects.filter(
        kind=kind, recipient=normalize_email(email), created_at__gte=since
    )
