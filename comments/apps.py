from django.apps import AppConfig


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"

    def ready(self):
        # Importing them connects their receivers: the emails a comment's
        # change calls for, the cached block list's refresh, and editors'
        # corrections reported to the spam service, and followers' emails.
        from comments import blocking, following, spam_services  # noqa: F401
        from comments.notify import receivers  # noqa: F401
