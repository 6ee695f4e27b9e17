"""Per-user API tokens: an editor creates one in the admin; the API acts as that user, with that user's role.

Only a hash of each token is stored: the token itself is shown once, when it
is created.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models

PREFIX = "parley_"


def digest(key):
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at=None, user__is_active=True)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        max_length=100, help_text="What the token is for, e.g. “Slack moderation bot”."
    )
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "comments"
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.user})"

    def new_key(self):
        """Give this token a fresh key and return it: only its hash is kept, so show it now."""
        key = PREFIX + secrets.token_urlsafe(32)
        self.key_digest = digest(key)
        return key
