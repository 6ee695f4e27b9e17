from django.apps import AppConfig


class ParleyConfig(AppConfig):
    """The site as a whole: what belongs to no one app (its system checks)."""

    name = "config"
    label = "parley"
    verbose_name = "Parley"

    def ready(self):
        from config import checks  # noqa: F401 - registers the system checks
