from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        # Importing it connects the receiver that keeps Article.cites_articles.
        from articles import further_reading  # noqa: F401
