from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self):
        # Importing them connects their receivers: the emails a comment's
        # change calls for, and the cached block list's refresh.
        from comments import blocking  # noqa: F401
        from comments.notify import receivers  # noqa: F401
