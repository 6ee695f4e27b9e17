"""The Jinja2 environment of the public site's templates (TEMPLATES in config/settings.py).

Every page a reader sees is rendered with Jinja2, through Django's own
backend: the page skeleton (templates/jinja2/base.html), the article pages,
the comment pages behind links and buttons, and the 404 and 500 pages
(templates/jinja2/), and the conversation and comment form
(comments/jinja2/). A page shows hundreds of comments, and Django's template
language would spend most of the page's time looking up their values, and
rendered the page around a cached conversation in twice Jinja2's time. The
admin and the emails stay Django templates (templates/admin/,
templates/emails/).

Jinja2 templates get Django's URL reversing and static files under the names
Django's templates use, and its `date` and `time` filters, which show a
moment in the site's time zone as Django's templates do; `person_name` names
a staff account as every other page and email does.
"""

from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils.timezone import template_localtime
from jinja2 import Environment

from comments.moderation_log import person_name


def url(name, *args):
    return reverse(name, args=args)


def date(value, format_string=None):
    return defaultfilters.date(template_localtime(value), format_string)


def time(value, format_string=None):
    return defaultfilters.time(template_localtime(value), format_string)


def environment(**options):
    env = Environment(**options)  # noqa: S701 - Django passes autoescape=True
    env.globals.update(url=url, static=static)
    env.filters.update(date=date, time=time, person_name=person_name)
    return env
