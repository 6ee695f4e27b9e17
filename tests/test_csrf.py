"""Every public form is protected from cross-site requests (Django's CSRF check), as a browser sends them.

The test client normally skips the check; here it is on
(Client(enforce_csrf_checks=True)), so a post from a hostile page, which
cannot read the visitor's CSRF token, is refused, and the forms the site
shows carry the token that lets the visitor's own post through.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, SlugConverter

from comments.models import Comment, Subscriber
from comments.notify import links
from tests.comments.posting_helpers import form_data, post_url
from tests.factories import CommentFactory, StaffFactory
from tests.visitor import form_with_field

pytestmark = pytest.mark.django_db

# Signed links that mail providers post to without cookies (RFC 8058
# one-click unsubscribe): the signed token in the address is the proof.
EXEMPT = {"comment_emails:unsubscribe", "comment_emails:unfollow"}
# The API reads no cookies: its public calls act as an anonymous visitor and
# its staff calls need a bearer token, so a cross-site request carries
# nothing it trusts (test_the_api_ignores_a_signed_in_editors_cookies).
COOKIELESS_NAMESPACE = "api-v1:"


def public_routes(resolver=None, namespace=""):
    """Yield (name, sample kwargs) for every named route outside the admin."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            kwargs = {
                name: sample_value(converter)
                for name, converter in entry.pattern.converters.items()
            }
            yield f"{namespace}{entry.name}", kwargs


def sample_value(converter):
    if isinstance(converter, IntConverter):
        return 1
    if isinstance(converter, SlugConverter):
        return "an-article"
    return "a-token"


def hostile_client():
    return Client(enforce_csrf_checks=True)


def test_every_public_address_refuses_a_post_without_the_csrf_token():
    answers = {}
    for name, kwargs in public_routes():
        response = hostile_client().post(reverse(name, kwargs=kwargs), {})
        answers[name] = response.status_code

    unprotected = {
        name
        for name, status in answers.items()
        if status != 403 and not name.startswith(COOKIELESS_NAMESPACE)
    }
    assert unprotected == EXEMPT, answers


def test_the_api_ignores_a_signed_in_editors_cookies(hostile_page, article):
    editor = StaffFactory()
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    hostile_page.force_login(editor)
    data = form_data(article)

    hostile_page.post(
        f"/api/v1/articles/{article.slug}/comments",
        {key: data[key] for key in ("name", "email", "comment", "form_token")},
        content_type="application/json",
    )

    # Stored, if at all, as an anonymous visitor's comment: never the editor's.
    assert not Comment.objects.filter(user=editor).exists()
    assert not Comment.objects.filter(status=Comment.Status.APPROVED).exists()


@pytest.fixture
def hostile_page(client):
    """A signed-in browser whose CSRF cookie a hostile page cannot read."""
    browser = hostile_client()
    browser.get("/")  # the visitor has a CSRF cookie, as after any page
    return browser


def test_a_hostile_page_cannot_make_a_signed_in_editor_publish_a_staff_comment(
    hostile_page, article
):
    editor = StaffFactory()
    editor.groups.add(Group.objects.get_or_create(name="Editors")[0])
    hostile_page.force_login(editor)

    response = hostile_page.post(post_url(article), form_data(article))

    assert response.status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("preview", [False, True])
def test_the_comment_form_posts_and_previews_with_its_csrf_token(article, preview):
    browser = hostile_client()
    page = browser.get(article.get_absolute_url()).content.decode()
    form = form_with_field(page, "form_token")
    fields = {
        **form.fields,
        **{k: v for k, v in form_data(article).items() if k != "form_token"},
    }
    if preview:
        fields["preview"] = "1"

    refused = browser.post(form.action, {**fields, "csrfmiddlewaretoken": ""})
    response = browser.post(form.action, fields)

    assert "csrfmiddlewaretoken" in form.fields
    assert refused.status_code == 403
    assert response.status_code == (200 if preview else 302)
    assert Comment.objects.count() == (0 if preview else 1)


def test_the_report_form_posts_only_with_its_csrf_token(article):
    comment = CommentFactory(article=article)
    browser = hostile_client()
    url = reverse("comments:report", args=[comment.pk])
    form = form_with_field(browser.get(url).content.decode(), "reason")

    refused = browser.post(url, {"reason": "Spam"})
    response = browser.post(url, {**form.fields, "reason": "Spam"})

    assert refused.status_code == 403
    assert response.status_code == 302
    assert comment.reports.count() == 1


def test_the_confirm_address_form_posts_only_with_its_csrf_token():
    browser = hostile_client()
    url = urlsplit(links.confirm_url("gunther@example.org")).path
    form = form_with_field(browser.get(url).content.decode(), "csrfmiddlewaretoken")

    refused = browser.post(url, {})
    assert refused.status_code == 403
    assert not Subscriber.objects.filter(confirmed_at__isnull=False).exists()

    response = browser.post(url, form.fields)

    assert response.status_code == 200
    assert Subscriber.objects.get(email="gunther@example.org").confirmed_at


def test_one_click_unsubscribe_needs_the_signed_link_not_a_csrf_token():
    Subscriber.objects.create(email="gunther@example.org")
    url = urlsplit(links.unsubscribe_url("gunther@example.org")).path
    forged = reverse("comment_emails:unsubscribe", args=["a-forged-token"])

    hostile_client().post(forged, {"List-Unsubscribe": "One-Click"})
    assert Subscriber.objects.get().unsubscribed_at is None

    response = hostile_client().post(url, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None
