"""Comments close a set number of days after publication: the site's default, or the article's own."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from tests.comments.posting_helpers import form_data, post_url
from tests.factories import ArticleFactory, StaffFactory

pytestmark = pytest.mark.django_db

CLOSED = "Comments are closed on this article."


def published_days_ago(days, **fields):
    return ArticleFactory(
        published_at=timezone.now() - timedelta(days=days, minutes=1), **fields
    )


@pytest.fixture
def close_after_thirty_days(settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENTS_CLOSE_AFTER_DAYS": 30}


def test_comments_close_the_sites_number_of_days_after_publication(
    client, close_after_thirty_days
):
    old = published_days_ago(30)
    recent = published_days_ago(29)

    refused = client.post(post_url(old), form_data(old))

    assert CLOSED in client.get(old.get_absolute_url()).content.decode()
    assert refused.status_code == 403 and not Comment.objects.exists()
    assert CLOSED not in client.get(recent.get_absolute_url()).content.decode()


def test_an_article_of_its_own_setting_zero_stays_open(client, close_after_thirty_days):
    article = published_days_ago(400, comments_close_after_days=0)

    assert CLOSED not in client.get(article.get_absolute_url()).content.decode()


def test_an_articles_own_number_of_days_comes_before_the_sites(client, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENTS_CLOSE_AFTER_DAYS": 0}
    article = published_days_ago(7, comments_close_after_days=7)

    response = client.post(post_url(article), form_data(article))

    assert response.status_code == 403
    assert CLOSED in response.content.decode()


def test_an_earlier_close_date_still_closes_them(client, close_after_thirty_days):
    article = published_days_ago(
        1, comments_close_at=timezone.now() - timedelta(minutes=1)
    )

    assert CLOSED in client.get(article.get_absolute_url()).content.decode()


def test_the_days_are_set_on_the_articles_admin_page_beside_the_open_flag(client):
    editor = StaffFactory(username="erin")
    editor.groups.add(Group.objects.get(name="Editors"))
    article = published_days_ago(10)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])

    page = client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": article.title,
            "slug": article.slug,
            "author": article.author.pk,
            "body": article.body,
            "status": article.status,
            "published_at_0": article.published_at.date().isoformat(),
            "published_at_1": article.published_at.time().isoformat("seconds"),
            "comments_enabled": "on",
            "comments_close_after_days": "5",
        },
    )

    discussion = page[page.index("Discussion") :]
    assert discussion.index('name="comments_enabled"') < discussion.index(
        'name="comments_close_after_days"'
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.comments_close_after_days == 5
    assert not article.comments_open
