"""Who is calling the API: a staff member's token, or nobody."""

from django.utils import timezone
from ninja.security import HttpBearer

from comments import roles
from comments.api.tokens import ApiToken, digest


class StaffToken(HttpBearer):
    """Authorization: Bearer <key> of an active token whose user still holds a staff role.

    The endpoint gets the user as request.auth, and the site's roles decide
    what it may see and decide on, as in the admin.
    """

    def authenticate(self, request, token):
        found = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_digest=digest(token))
            .first()
        )
        if found is None or not roles.can_moderate_any(found.user):
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        return found.user
