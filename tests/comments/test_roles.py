"""Editors moderate everything; authors only their own articles' comments; others nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from comments import roles
from comments.models import BlockedItem, Comment
from tests.comments.admin_helpers import (  # noqa: F401
    CHANGELIST,
    admin_url,
    change_url,
    editor,
    pending_comment,
    run_action,
)
from tests.factories import ArticleFactory, CommentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Comment.Status


@pytest.fixture
def own_article(dana):
    return ArticleFactory(author=dana, title="Dana's own article")


@pytest.fixture
def other_article(db):
    return ArticleFactory(title="Somebody else's article")


@pytest.fixture
def author_client(client, dana):
    client.force_login(dana)
    return client


def listed(response):
    return {comment.pk for comment in response.context["cl"].result_list}


def test_migration_creates_both_groups_with_their_permissions():
    def codenames(name):
        return set(
            Group.objects.get(name=name).permissions.values_list("codename", flat=True)
        )

    editors, authors = codenames("Editors"), codenames("Authors")

    assert {"change_comment", "change_article", "add_blockeditem",
            "add_cannedreply", "delete_cannedreply"} <= editors  # fmt: skip
    assert {"change_comment", "add_article", "change_article"} <= authors
    assert not {"add_blockeditem", "add_cannedreply", "delete_article"} & authors
    assert "delete_comment" not in editors | authors


def test_editor_sees_every_comment(client, own_article, other_article):
    client.force_login(editor())
    mine = pending_comment(article=own_article)
    theirs = pending_comment(article=other_article)

    assert listed(client.get(CHANGELIST)) == {mine.pk, theirs.pk}


def test_author_lists_and_counts_only_comments_on_own_articles(
    author_client, own_article, other_article
):
    mine = pending_comment(article=own_article)
    pending_comment(article=other_article, author_name="Stranger")
    CommentFactory(article=other_article, author_name="Stranger")

    response = author_client.get(CHANGELIST + "?status=all")
    page = response.content.decode()

    assert listed(response) == {mine.pk}
    assert [tab["display"] for tab in response.context["cl"].status_tabs][0] == (
        "Pending (1)"
    )
    assert "All (1)" in page
    assert "Stranger" not in page and other_article.title not in page


def test_author_sender_history_counts_only_own_articles(
    author_client, own_article, other_article
):
    CommentFactory.create_batch(
        3, article=other_article, author_email="pat@example.org"
    )
    pending_comment(article=own_article, author_email="pat@example.org")

    page = author_client.get(CHANGELIST).content.decode()

    assert "First comment" in page


def test_author_queue_summary_counts_only_own_articles(
    author_client, own_article, other_article
):
    pending_comment(article=own_article)
    pending_comment(article=other_article)

    page = " ".join(author_client.get(reverse("admin:index")).content.decode().split())

    assert "<strong>1</strong> comment waits" in page


def test_author_guessing_the_url_of_another_articles_comment_gets_404(
    author_client, other_article
):
    theirs = pending_comment(article=other_article, body="Not for Dana's eyes.")

    response = author_client.get(change_url(theirs))

    assert response.status_code == 404
    assert b"Not for Dana" not in response.content
    assert (
        author_client.get(change_url(theirs).replace("change/", "history/")).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("view", "data"),
    [
        ("moderate", {"status": Status.APPROVED}),
        ("feature", {"featured": "1"}),
        ("reply", {"body": "Hello", "approve_and_reply": "1"}),
        ("block", {}),
    ],
)
def test_author_cannot_act_on_another_articles_comment_by_url(
    author_client, other_article, view, data
):
    theirs = pending_comment(article=other_article)

    response = author_client.post(admin_url(view, theirs), data)

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.PENDING and not theirs.is_featured
    assert Comment.objects.count() == 1
    assert not BlockedItem.objects.exists()


def test_list_action_with_forged_ids_leaves_other_comments_alone(
    author_client, own_article, other_article
):
    mine = pending_comment(article=own_article)
    theirs = pending_comment(article=other_article)

    run_action(author_client, "approve", [mine, theirs])

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == Status.APPROVED
    assert theirs.status == Status.PENDING


def test_author_moderates_and_replies_on_own_articles(author_client, dana, own_article):
    comment = pending_comment(article=own_article)

    author_client.post(
        admin_url("reply", comment),
        {"body": "Thanks for reading.", "approve_and_reply": "1"},
    )

    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and comment.moderated_by == dana
    reply = Comment.objects.get(parent=comment)
    assert reply.badge == Comment.Badge.AUTHOR and reply.user == dana


def test_author_sees_the_comment_read_only_and_cannot_edit_its_text(
    author_client, own_article
):
    comment = CommentFactory(article=own_article, body="Original words.")

    page = author_client.get(change_url(comment))
    response = author_client.post(
        change_url(comment),
        {"author_name": "X", "author_website": "", "body": "Changed.", "_save": "1"},
    )

    assert page.status_code == 200
    assert b'id="id_body"' not in page.content  # no editable text field
    assert b'value="rejected"' in page.content  # but the decision buttons
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Original words."


def test_block_list_and_privacy_tools_are_for_editors_only(author_client, own_article):
    comment = pending_comment(article=own_article)

    assert author_client.post(admin_url("block", comment)).status_code == 403
    assert (
        author_client.get(reverse("admin:comments_comment_privacy")).status_code == 403
    )
    assert (
        author_client.get(reverse("admin:comments_blockeditem_changelist")).status_code
        == 403
    )


def test_staff_in_neither_group_get_nothing(client, own_article):
    client.force_login(StaffFactory(username="intern"))
    comment = pending_comment(article=own_article)

    index = client.get(reverse("admin:index"))

    assert b"Moderation queue" not in index.content
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(change_url(comment)).status_code in (403, 404)
    assert client.post(
        admin_url("moderate", comment), {"status": "approved"}
    ).status_code in (403, 404)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403


def test_staff_with_model_permissions_but_no_role_still_see_no_comments(
    client, own_article
):
    intern = StaffFactory(username="intern")
    intern.user_permissions.add(
        *Group.objects.get(name="Editors").permissions.exclude(
            codename__in=["moderate_every_article", "moderate_own_articles"]
        )
    )
    client.force_login(intern)
    pending_comment(article=own_article)

    assert client.get(CHANGELIST).status_code == 403


def test_visitors_never_reach_the_admin(client, own_article):
    client.force_login(UserFactory(username="reader"))
    comment = pending_comment(article=own_article)

    for url in [CHANGELIST, change_url(comment), reverse("admin:index")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    client.post(admin_url("moderate", comment), {"status": "approved"})
    comment.refresh_from_db()
    assert comment.status == Status.PENDING


# Articles ------------------------------------------------------------------


def test_author_lists_and_edits_only_own_articles(
    author_client, own_article, other_article
):
    changelist = author_client.get(reverse("admin:articles_article_changelist"))
    theirs = author_client.get(
        reverse("admin:articles_article_change", args=[other_article.pk])
    )

    assert [a.pk for a in changelist.context["cl"].result_list] == [own_article.pk]
    assert theirs.status_code == 404


def test_article_written_by_an_author_is_theirs_whatever_the_form_says(
    author_client, dana, other_article
):
    author_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "My new piece",
            "slug": "my-new-piece",
            "author": other_article.author.pk,
            "body": "<p>Words.</p>",
            "status": Article.Status.DRAFT,
            "comments_enabled": "on",
        },
    )

    assert Article.objects.get(slug="my-new-piece").author == dana


def test_editor_edits_every_article(client, other_article):
    client.force_login(editor())

    response = client.post(
        reverse("admin:articles_article_change", args=[other_article.pk]),
        {
            "title": "Retitled by the editor",
            "slug": other_article.slug,
            "author": other_article.author.pk,
            "body": other_article.body,
            "status": other_article.status,
            "published_at_0": other_article.published_at.date().isoformat(),
            "published_at_1": "10:00:00",
            "comments_enabled": "on",
        },
    )

    assert response.status_code == 302
    other_article.refresh_from_db()
    assert other_article.title == "Retitled by the editor"


def test_who_may_read_an_article_in_hand_is_who_may_list_it(dana):
    articles = [
        ArticleFactory(title="Published"),
        ArticleFactory(title="Dana's draft", author=dana, status=Article.Status.DRAFT),
        ArticleFactory(title="Other draft", status=Article.Status.DRAFT),
        ArticleFactory(
            title="Scheduled", published_at=timezone.now() + timedelta(days=1)
        ),
    ]
    readers = [AnonymousUser(), UserFactory(), StaffFactory(), dana, editor()]

    for reader in readers:
        listed = set(roles.readable_articles(reader, Article.objects.all()))
        for article in articles:
            assert roles.may_read(reader, article) == (article in listed), (
                reader,
                article,
            )


def test_superuser_counts_as_editor():
    boss = UserFactory(username="boss", is_staff=True, is_superuser=True)

    assert roles.is_editor(boss)
    assert not roles.is_editor(UserFactory(username="someone", is_staff=False))


def test_editor_manages_the_block_list_with_validated_entries(client):
    erin = editor()
    client.force_login(erin)
    add = reverse("admin:comments_blockeditem_add")

    refused = client.post(add, {"kind": "ip", "value": "not-an-ip"})
    client.post(add, {"kind": "email", "value": " Bot@Spam.Example "})

    assert "Enter an IP address or a network" in refused.content.decode()
    item = BlockedItem.objects.get()
    assert (item.value, item.created_by) == ("bot@spam.example", erin)


def test_editors_write_canned_replies_and_authors_only_read_them(author_client):
    add = reverse("admin:comments_cannedreply_add")
    data = {"title": "Thanks", "text": "Thank you for writing."}
    editor_client = Client()
    editor_client.force_login(editor())

    assert author_client.post(add, data).status_code == 403
    assert editor_client.post(add, data).status_code == 302
    listing = author_client.get(reverse("admin:comments_cannedreply_changelist"))
    assert listing.status_code == 200 and b"Thanks" in listing.content


# Further reading: only articles the user may read.


def further_reading_offered(client):
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "article",
            "field_name": "related_articles",
        },
    )
    assert response.status_code == 200
    return {int(result["id"]) for result in response.json()["results"]}


@pytest.fixture
def others_draft(db):
    return ArticleFactory(
        title="Somebody else's draft", status=Article.Status.DRAFT, published_at=None
    )


def test_author_is_offered_published_articles_and_own_drafts_as_further_reading(
    author_client, dana, other_article, others_draft
):
    own_draft = ArticleFactory(
        author=dana, status=Article.Status.DRAFT, published_at=None
    )

    offered = further_reading_offered(author_client)

    assert other_article.pk in offered and own_draft.pk in offered
    assert others_draft.pk not in offered


def test_author_cannot_link_to_a_draft_they_may_not_read(
    author_client, own_article, others_draft
):
    response = author_client.post(
        reverse("admin:articles_article_change", args=[own_article.pk]),
        {
            "title": own_article.title,
            "slug": own_article.slug,
            "body": own_article.body,
            "status": Article.Status.PUBLISHED,
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00:00",
            "related_articles": [others_draft.pk],
            "comments_enabled": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["related_articles"]
    assert not own_article.related_articles.exists()


def test_editor_is_offered_every_article_as_further_reading(client, others_draft):
    client.force_login(editor())

    assert others_draft.pk in further_reading_offered(client)
