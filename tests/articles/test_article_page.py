"""What each kind of reader gets on the article page: their own tokens, the article as it is now."""

import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from comments.models import Comment
from comments.moderation import form_timing_reason
from tests.comments.posting_helpers import form_data
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def post_url(article):
    return reverse("comments:post", args=[article.slug])


def tokens(html):
    return CSRF.findall(html), FORM_TOKEN.findall(html)


def without_tokens(html):
    html = CSRF.sub('name="csrfmiddlewaretoken" value="T"', html)
    return re.sub(r'(name="form_token"[^>]*value=")[^"]+"', r'\1T"', html)


def test_two_readers_get_the_same_page_but_for_their_tokens(article):
    article.related_articles.add(ArticleFactory(title="Further & further"))
    CommentFactory.create_batch(3, article=article)
    url = article.get_absolute_url()

    first = Client().get(url).content.decode()  # the conversation rendered
    second = Client().get(url).content.decode()  # the conversation from the cache

    assert without_tokens(first) == without_tokens(second)
    assert "Further &amp; further" in second


def test_every_visitor_gets_their_own_working_tokens(article):
    url = article.get_absolute_url()
    one, two = Client(), Client()

    first = one.get(url)
    second = two.get(url)

    (csrf_one,), (form_one,) = tokens(first.content.decode())
    (csrf_two,), (form_two,) = tokens(second.content.decode())
    assert csrf_one != csrf_two
    assert one.cookies["csrftoken"].value and two.cookies["csrftoken"].value
    assert form_timing_reason(form_two, article.pk, now=time.time() + 60) == ""


def test_a_comment_posted_from_a_second_view_of_the_page_is_accepted(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0}
    client = Client(enforce_csrf_checks=True)
    url = article.get_absolute_url()
    client.get(url)
    html = client.get(url).content.decode()  # its conversation from the cache
    (csrf,), (form_token,) = tokens(html)

    response = client.post(
        post_url(article),
        {
            "csrfmiddlewaretoken": csrf,
            "form_token": form_token,
            "name": "Ada",
            "email": "ada@example.org",
            "comment": "Served from the cache, posted all the same.",
            "post": "1",
        },
    )

    assert response.status_code == 302
    comment = Comment.objects.get(author_email="ada@example.org")
    assert comment.status == Comment.Status.PENDING


@pytest.mark.parametrize(
    "change",
    ["related title", "related unpublished", "article title", "author name"],
)
def test_what_the_page_shows_is_never_stale(article, change):
    related = ArticleFactory(title="Old related title")
    article.related_articles.add(related)
    url = article.get_absolute_url()
    before = Client().get(url).content.decode()
    assert "Old related title" in before

    if change == "related title":
        related.title = "New related title"
        related.save()
        expected, gone = "New related title", "Old related title"
    elif change == "related unpublished":
        related.status = related.Status.DRAFT
        related.save()
        expected, gone = "Comments:", "Old related title"
    elif change == "article title":
        article.title = "A new headline"
        article.save()
        expected, gone = "A new headline", "Social Media Experts"
    else:
        article.author.first_name, article.author.last_name = "Grace", "Hopper"
        article.author.save()
        expected, gone = "By Grace Hopper", "By Old"

    after = Client().get(url).content.decode()
    assert expected in after and gone not in after


def test_a_change_to_the_article_behind_the_models_back_shows_at_once(article):
    url = article.get_absolute_url()
    Client().get(url)

    type(article).objects.filter(pk=article.pk).update(title="A new headline")

    assert "A new headline" in Client().get(url).content.decode()


def test_closed_comments_show_no_form_and_set_no_csrf_cookie(article):
    article.comments_enabled = False
    article.save()
    client = Client()
    client.get(article.get_absolute_url())

    response = client.get(article.get_absolute_url())

    html = response.content.decode()
    assert "Comments are closed on this article" in html
    assert "csrfmiddlewaretoken" not in html
    assert "csrftoken" not in response.cookies


def test_what_is_for_one_visitor_alone_is_shown_to_them_only(article, staff_user):
    parent = CommentFactory(article=article, author_name="Margaret")
    url = article.get_absolute_url()
    Client().get(url)  # the shared page, now cached

    staff = Client()
    staff.force_login(staff_user)
    assert "You are signed in as staff" in staff.get(url).content.decode()

    replying = Client().get(url, {"replyto": parent.pk}).content.decode()
    assert "Replying to <a" in replying

    remembered = Client()
    remembered.post(post_url(article), form_data(article, remember="on"))
    remembered.get(url)  # shows the thank-you message once
    assert 'value="ada@example.org"' in remembered.get(url).content.decode()

    assert "You are signed in as staff" not in Client().get(url).content.decode()


def test_a_message_for_the_visitor_is_shown_on_the_page(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MIN_SECONDS": 0}
    client = Client()
    url = article.get_absolute_url()
    html = client.get(url).content.decode()
    (csrf,), (form_token,) = tokens(html)
    client.post(
        post_url(article),
        {
            "csrfmiddlewaretoken": csrf,
            "form_token": form_token,
            "name": "Ada",
            "email": "ada@example.org",
            "comment": "A thought of my own.",
            "post": "1",
        },
    )

    page = client.get(url).content.decode()

    assert "Thank you for your comment" in page
    assert "message-success" in page
    # Shown once, then the shared page again.
    assert "Thank you for your comment" not in client.get(url).content.decode()
