from django.contrib import admin  # noqa: F401

# Notification records are registered in their own module (owned by the
# notifications work) so the two admin modules can change independently.
from comments import admin_notifications  # noqa: F401
