"""The JSON API under /api/v1/, as another front end or an editors' tool calls it."""

import re
import time

import pytest
from django.utils import timezone

from articles.models import Article
from comments.api.tokens import ApiToken
from comments.models import Comment, CommentReport, ModerationLogEntry
from comments.moderation import sign_form_token
from tests.comments.admin_helpers import author, editor, pending_comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db
API = "/api/v1"


def get(client, path, token=None, **extra):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"{API}{path}", headers=headers, secure=True, **extra)


def post(client, path, payload, token=None, **extra):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        f"{API}{path}",
        payload,
        content_type="application/json",
        headers=headers,
        secure=True,
        **extra,
    )


def comment_payload(article, **fields):
    return {
        "name": "Gunther",
        "email": "gunther@example.com",
        "comment": "Posted from another front end.",
        "form_token": sign_form_token(article.pk, issued_at=time.time() - 60),
        **fields,
    }


# The public conversation -----------------------------------------------------


def test_a_conversation_is_its_published_threads_in_order(client):
    article = ArticleFactory(slug="experts")
    first = CommentFactory(article=article, author_name="Gunther")
    reply = CommentFactory(article=article, parent=first, author_name="Author")
    pending_comment(article=article, author_name="Held")
    under_held = pending_comment(article=article)
    CommentFactory(article=article, parent=under_held, author_name="Hidden")

    response = get(client, "/articles/experts/comments")

    assert response.status_code == 200
    body = response.json()
    assert [c["author_name"] for c in body["comments"]] == ["Gunther", "Author"]
    assert body["comments"][1]["parent_id"] == first.pk
    assert body["comments"][1]["level"] == 1
    assert body["comments"][1]["id"] == reply.pk
    assert body["comment_count"] == 2
    assert body["order"] == "oldest"


def test_drafts_and_pages_past_the_last_are_not_found(client):
    ArticleFactory(slug="draft", status=Article.Status.DRAFT)
    ArticleFactory(slug="quiet")

    assert get(client, "/articles/draft/comments").status_code == 404
    assert get(client, "/articles/quiet/comments?page=2").status_code == 404
    missing = get(client, "/articles/nowhere/comments")
    assert missing.status_code == 404
    assert missing.json()["message"]


def test_one_comment_is_shown_only_when_the_public_sees_it(client):
    shown = CommentFactory(body="Visible words.")
    held = pending_comment()
    under_held = CommentFactory(article=held.article, parent=held)
    in_draft = CommentFactory(article=ArticleFactory(status=Article.Status.DRAFT))

    response = get(client, f"/comments/{shown.pk}")
    assert response.status_code == 200
    assert "Visible words." in response.json()["body_html"]
    for hidden in (held, under_held, in_draft):
        assert get(client, f"/comments/{hidden.pk}").status_code == 404


# Posting as a visitor ----------------------------------------------------------


def test_a_posted_comment_is_held_for_an_editor_with_the_forms_thanks(client):
    article = ArticleFactory(slug="experts")

    response = post(
        client,
        "/articles/experts/comments",
        comment_payload(article),
        REMOTE_ADDR="192.0.2.50",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert "moderated" in body["message"]
    stored = Comment.objects.get(pk=body["id"])
    assert stored.status == Comment.Status.PENDING
    assert stored.ip_address == "192.0.2.50"


def test_a_reply_names_its_parent(client):
    article = ArticleFactory(slug="experts")
    parent = CommentFactory(article=article)

    response = post(
        client, "/articles/experts/comments", comment_payload(article, parent=parent.pk)
    )

    assert response.status_code == 201
    assert Comment.objects.get(pk=response.json()["id"]).parent == parent


def test_a_form_token_fetched_from_the_api_posts_once(client):
    article = ArticleFactory(slug="experts")
    token = get(client, "/articles/experts/form-token").json()["form_token"]
    payload = comment_payload(article, form_token=token)

    first = post(client, "/articles/experts/comments", payload)
    again = post(client, "/articles/experts/comments", {**payload, "comment": "Twice?"})

    assert first.status_code == 201
    assert again.status_code == 409
    assert Comment.objects.filter(article=article).count() == 1


def test_bad_input_is_refused_with_the_forms_messages(client):
    article = ArticleFactory(slug="experts")

    response = post(
        client,
        "/articles/experts/comments",
        comment_payload(article, name="", email="not an address"),
    )

    assert response.status_code == 422
    errors = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert errors["name"] == "Enter your name."
    assert errors["email"] == "Enter an email address like name@example.com."
    assert not Comment.objects.exists()


def test_a_body_that_is_not_the_right_shape_gets_a_clear_message(client):
    ArticleFactory(slug="experts")

    response = post(client, "/articles/experts/comments", {"name": ["a", "list"]})

    assert response.status_code == 422
    body = response.json()
    assert "comment" in {error["field"] for error in body["errors"]}
    assert body["message"].startswith("The request is not what this endpoint reads")


def test_a_reply_to_a_hidden_comment_is_refused(client):
    article = ArticleFactory(slug="experts")
    held = pending_comment(article=article)

    response = post(
        client, "/articles/experts/comments", comment_payload(article, parent=held.pk)
    )

    assert response.status_code == 422
    assert not Comment.objects.exclude(pk=held.pk).exists()


def test_the_flood_limit_applies_with_retry_after(client, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_FLOOD_LIMIT": 1}
    article = ArticleFactory(slug="experts")

    first = post(
        client,
        "/articles/experts/comments",
        comment_payload(article),
        REMOTE_ADDR="192.0.2.60",
    )
    second = post(
        client,
        "/articles/experts/comments",
        comment_payload(article, comment="Another one."),
        REMOTE_ADDR="192.0.2.60",
    )

    assert first.status_code == 201
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 0


def test_a_closed_conversation_refuses_comments(client):
    article = ArticleFactory(slug="experts", comments_enabled=False)

    response = post(client, "/articles/experts/comments", comment_payload(article))

    assert response.status_code == 403
    assert response.json()["message"] == "Comments are closed on this article."


def test_reporting_a_published_comment(client):
    shown = CommentFactory()

    first = post(client, f"/comments/{shown.pk}/reports", {"reason": "Spam link."})
    again = post(client, f"/comments/{shown.pk}/reports", {"reason": "Spam link."})
    empty = post(client, f"/comments/{shown.pk}/reports", {"reason": ""})

    assert first.status_code == 201
    assert first.json()["message"] == "Thank you. An editor will look at this comment."
    assert again.json()["message"].startswith("You have already reported")
    assert CommentReport.objects.filter(comment=shown).count() == 1
    assert empty.status_code == 422
    assert (
        post(
            client, f"/comments/{pending_comment().pk}/reports", {"reason": "x"}
        ).status_code
        == 404
    )


# Staff with tokens ---------------------------------------------------------------


def issue_token(user, name):
    """Create a token as an editor does in the admin; return the key shown to them."""
    token = ApiToken(user=user, name=name)
    key = token.new_key()
    token.save()
    return key


def test_an_editor_creates_a_token_in_the_admin_and_sees_its_key_once(client):
    erin = editor()
    client.force_login(erin)

    response = client.post(
        "/admin/comments/apitoken/add/",
        {"user": erin.pk, "name": "Slack bot"},
        follow=True,
        secure=True,
    )

    shown = [str(message) for message in response.context["messages"]]
    key = re.search(r"parley_[\w-]+", shown[0]).group()
    assert key not in {token.key_digest for token in ApiToken.objects.all()}
    client.logout()
    assert get(client, "/queue", token=key).status_code == 200


def test_the_queue_needs_a_valid_staff_token(client):
    reader_key = issue_token(UserFactory(username="reader"), "no role")
    revoked_key = issue_token(editor(), "old")
    ApiToken.objects.filter(name="old").update(revoked_at=timezone.now())

    for key in (None, "parley_wrong", reader_key, revoked_key):
        response = get(client, "/queue", token=key)
        assert response.status_code == 401
        assert "token" in response.json()["message"]


def test_an_authors_token_reaches_only_their_articles(client):
    dana = author()
    own = pending_comment(article=ArticleFactory(author=dana))
    other = pending_comment()
    key = issue_token(dana, "dana's bot")

    listed = get(client, "/queue", token=key).json()
    refused = post(
        client, f"/comments/{other.pk}/decision", {"decision": "approve"}, token=key
    )

    assert [item["id"] for item in listed] == [own.pk]
    assert refused.status_code == 404
    other.refresh_from_db()
    assert other.status == Comment.Status.PENDING


def test_a_decision_goes_through_the_same_door_as_the_admins(client):
    erin = editor()
    waiting = pending_comment()
    key = issue_token(erin, "queue bot")

    response = post(
        client, f"/comments/{waiting.pk}/decision", {"decision": "approve"}, token=key
    )
    again = post(
        client, f"/comments/{waiting.pk}/decision", {"decision": "approve"}, token=key
    )

    assert response.json() == {"id": waiting.pk, "status": "approved", "changed": True}
    assert again.json()["changed"] is False
    waiting.refresh_from_db()
    assert waiting.status == Comment.Status.APPROVED
    assert waiting.moderated_by == erin
    assert ModerationLogEntry.objects.filter(comment=waiting, by=erin).count() == 1
    assert ApiToken.objects.get(user=erin).last_used_at is not None


def test_an_unknown_decision_is_refused(client):
    key = issue_token(editor(), "bot")
    waiting = pending_comment()

    response = post(
        client, f"/comments/{waiting.pk}/decision", {"decision": "publish"}, token=key
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "decision"


# CORS and the schema ---------------------------------------------------------------


def test_other_origins_are_answered_only_when_an_operator_lists_them(client, settings):
    ArticleFactory(slug="experts")
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.org"]

    listed = get(
        client, "/articles/experts/comments", HTTP_ORIGIN="https://app.example.org"
    )
    other = get(
        client, "/articles/experts/comments", HTTP_ORIGIN="https://evil.example"
    )

    assert listed["Access-Control-Allow-Origin"] == "https://app.example.org"
    assert "Access-Control-Allow-Origin" not in other


def test_the_openapi_schema_describes_every_endpoint(client):
    response = get(client, "/openapi.json")

    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1"
    paths = schema["paths"]
    assert set(paths) >= {
        "/api/v1/articles/{slug}/comments",
        "/api/v1/articles/{slug}/form-token",
        "/api/v1/comments/{comment_id}",
        "/api/v1/comments/{comment_id}/reports",
        "/api/v1/queue",
        "/api/v1/comments/{comment_id}/decision",
    }
    assert "429" in paths["/api/v1/articles/{slug}/comments"]["post"]["responses"]
    assert paths["/api/v1/queue"]["get"]["security"]
    docs = get(client, "/docs")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
