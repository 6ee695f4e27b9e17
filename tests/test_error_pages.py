"""The error pages: the 404 page in the site's frame, and a 500 page that needs nothing that may have failed."""

import copy

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db


def database_down(execute, sql, params, many, context):
    raise OperationalError("the database is unreachable")


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_500_page_shows_while_the_database_is_down(signed_in):
    article = ArticleFactory()
    browser = Client(raise_request_exception=False)
    if signed_in:
        browser.force_login(StaffFactory())

    with connection.execute_wrapper(database_down):
        response = browser.get(article.get_absolute_url())

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert '<a href="/">Back to the latest articles</a>' in page


def failing_context_processor(request):
    raise RuntimeError("the session store is unreachable")


def test_the_500_page_shows_when_a_context_processor_fails(settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    for engine in templates:
        engine["OPTIONS"].setdefault("context_processors", []).append(
            "tests.test_error_pages.failing_context_processor"
        )
    settings.TEMPLATES = templates
    article = ArticleFactory()

    response = Client(raise_request_exception=False).get(article.get_absolute_url())

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_the_404_page_has_the_sites_frame_and_the_editors_admin_link(client):
    client.force_login(StaffFactory())

    response = client.get("/articles/no-such-article/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "<title>Page not found &middot; Parley</title>" in page
    assert '<a href="/admin/">Admin</a>' in page
