from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"

    def ready(self):
        # Every process that saves an article or a user must retire the page
        # copies of the web processes, including one that never serves a page.
        from articles import local_pages

        local_pages.connect_signals()
