from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self):
        # Importing them connects their receivers.
        from comments import moderation, receivers  # noqa: F401
