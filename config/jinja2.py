"""The Jinja2 environment of the templates in the apps' jinja2/ folders (TEMPLATES in config/settings.py).

An article's conversation and its comment form are rendered with Jinja2,
through Django's own backend: a page shows hundreds of comments, and Django's
template language would spend most of the page's time budget looking up
their values. The rest of the site uses Django's templates. Jinja2 templates
get Django's URL reversing and static files under the names Django's
templates use.
"""

from django.templatetags.static import static
from django.urls import reverse
from jinja2 import Environment


def url(name, *args):
    return reverse(name, args=args)


def environment(**options):
    env = Environment(**options)  # noqa: S701 - Django passes autoescape=True
    env.globals.update(url=url, static=static)
    return env
