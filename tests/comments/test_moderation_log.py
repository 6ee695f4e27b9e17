"""The moderation log: automatic changes recorded like an editor's, and the admin page that lists them."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comments import privacy
from comments.editing import delete_comment
from comments.models import Comment
from comments.moderation_log import WRITER, Action, ModerationLogEntry
from comments.reports import record_report
from tests.comments.admin_helpers import author, pending_comment
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

LOG = reverse("admin:comments_moderationlogentry_changelist")


def entries(comment_number):
    return list(
        ModerationLogEntry.objects.filter(comment_number=comment_number)
        .order_by("at", "pk")
        .values_list("action", "by_name", "reason")
    )


def test_a_visitor_comment_held_on_posting_is_logged_as_parleys_rules(client, article):
    client.post(post_url(article), form_data(article))

    comment = Comment.objects.get()
    assert entries(comment.pk) == [
        (Action.HELD_ON_POSTING, "", "Held for review (every visitor comment)")
    ]


def test_a_comment_stored_as_spam_on_posting_is_logged_with_the_rule(client, article):
    client.post(post_url(article), form_data(article, subject="buy now"))

    comment = Comment.objects.get()
    assert entries(comment.pk) == [
        (Action.SPAM_ON_POSTING, "", "Honeypot field filled in")
    ]


def test_an_auto_approval_is_logged_as_parleys_rules(article):
    # What the screening rules decide for a trusted writer (comments.moderation).
    comment = CommentFactory.build(
        article=article,
        status=Comment.Status.APPROVED,
        status_reason="Auto-approved: this address has 3+ approved comments",
    ).submit()

    assert entries(comment.pk) == [
        (
            Action.PUBLISHED_ON_POSTING,
            "",
            "Auto-approved: this address has 3+ approved comments",
        )
    ]


def test_a_hold_by_readers_reports_is_logged_as_parleys_rules(article, settings):
    settings.PARLEY = {**settings.PARLEY, "REPORTS_TO_HOLD": 2}
    comment = CommentFactory(article=article)

    record_report(comment, "Rude.", ip="192.0.2.1")
    record_report(comment, "Abusive.", ip="192.0.2.2")

    assert entries(comment.pk) == [(Action.RETURNED, "", "reported")]


def test_an_editors_decision_is_logged_with_their_name(erin, article):
    comment = pending_comment(article=article)

    comment.approve(by=erin)

    assert entries(comment.pk) == [(Action.APPROVED, "Erin Editor", "")]


def test_the_retention_purge_logs_each_comment_it_touched(article):
    long_ago = timezone.now() - timedelta(days=120)
    old = CommentFactory(article=article, created_at=long_ago)
    spam = CommentFactory(
        article=article, status=Comment.Status.SPAM, moderated_at=long_ago
    )

    call_command("purge_old_data", stdout=io.StringIO())

    assert not Comment.objects.filter(pk=spam.pk).exists()
    assert entries(old.pk) == [
        (Action.NETWORK_CLEARED, "", "Older than 90 days"),
    ]
    assert entries(spam.pk) == [
        (Action.DELETED, "", "Marked as spam more than 30 days ago")
    ]


def test_an_erasure_is_logged_and_earlier_entries_forget_what_they_quoted(
    erin, article
):
    comment = pending_comment(article=article, author_email="gunther@example.org")
    comment.reject(by=erin, reason="Mentions gunther@example.org's employer")

    privacy.erase_email("gunther@example.org", by=erin)

    logged = entries(comment.pk)
    assert logged == [
        (Action.REJECTED, "Erin Editor", ""),
        (Action.ERASED, "Erin Editor", ""),
    ]
    assert not ModerationLogEntry.objects.filter(message__contains="gunther").exists()


def test_the_log_page_filters_by_parleys_rules_and_links_each_comment(
    editor_client, erin, client, article
):
    held = CommentFactory(article=article)
    held.return_to_pending(reason="reported")
    decided = pending_comment(article=article)
    decided.approve(by=erin)

    everyone = editor_client.get(LOG)
    rules = editor_client.get(LOG, {"who": "rules"})
    erins = editor_client.get(LOG, {"who": str(erin.pk)})

    assert everyone.status_code == 200
    page = rules.content.decode()
    assert reverse("admin:comments_comment_change", args=[held.pk]) in page
    assert reverse("admin:comments_comment_change", args=[decided.pk]) not in page
    assert "Parley&#x27;s rules" in page or "Parley's rules" in page
    assert "Returned to the queue" in text_of(rules)
    erin_page = erins.content.decode()
    assert reverse("admin:comments_comment_change", args=[decided.pk]) in erin_page
    assert reverse("admin:comments_comment_change", args=[held.pk]) not in erin_page


def test_the_log_page_filters_by_what_and_when(editor_client, erin, article):
    approved = pending_comment(article=article)
    approved.approve(by=erin)
    rejected = pending_comment(article=article)
    rejected.reject(by=erin)
    ModerationLogEntry.objects.filter(comment_number=rejected.pk).update(
        at=timezone.now() - timedelta(days=40)
    )

    by_what = editor_client.get(LOG, {"action": Action.REJECTED}).content.decode()
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    # What the "Today" link of the date filter sends.
    today = editor_client.get(
        LOG, {"at__gte": str(midnight), "at__lt": str(midnight + timedelta(days=1))}
    ).content.decode()

    assert f"#{rejected.pk}<" in by_what and f"#{approved.pk}<" not in by_what
    assert f"#{approved.pk}<" in today and f"#{rejected.pk}<" not in today


def test_a_purged_comment_keeps_its_number_in_the_log(editor_client, article):
    spam = CommentFactory(
        article=article,
        status=Comment.Status.SPAM,
        moderated_at=timezone.now() - timedelta(days=60),
    )

    call_command("purge_old_data", stdout=io.StringIO())

    assert f"#{spam.pk} (deleted)" in text_of(editor_client.get(LOG))


def test_an_author_reads_only_the_entries_about_their_own_articles(client):
    dana = author()
    own = pending_comment(article=ArticleFactory(author=dana))
    other = pending_comment(article=ArticleFactory())
    own.approve()
    other.approve()
    client.force_login(dana)

    page = client.get(LOG).content.decode()

    assert reverse("admin:comments_comment_change", args=[own.pk]) in page
    assert reverse("admin:comments_comment_change", args=[other.pk]) not in page


def test_a_staff_comment_published_on_posting_names_its_writer(editor_client, article):
    editor_client.post(post_url(article), form_data(article, comment="From the desk."))

    comment = Comment.objects.get(body="From the desk.")
    assert entries(comment.pk) == [(Action.PUBLISHED_ON_POSTING, "Erin Editor", "")]


def test_an_editors_correction_is_logged_as_an_edit(editor_client, article):
    comment = CommentFactory(article=article, body="Teh text.")

    editor_client.post(
        reverse("admin:comments_comment_change", args=[comment.pk]),
        {"author_name": comment.author_name, "author_website": "",
         "body": "The text.", "_save": "1"},
    )  # fmt: skip

    [entry] = ModerationLogEntry.objects.filter(comment_number=comment.pk)
    assert (entry.action, entry.by_name) == (Action.EDITED, "Erin Editor")
    assert "The" in entry.message


def test_a_visitors_deletion_of_their_own_comment_is_theirs_not_the_rules(
    editor_client, article
):
    comment = CommentFactory(article=article)

    delete_comment(comment)

    assert entries(comment.pk) == [(Action.DELETED, WRITER, "")]
    writers = text_of(editor_client.get(LOG, {"who": "writers"}))
    rules = text_of(editor_client.get(LOG, {"who": "rules"}))
    assert f"#{comment.pk} (deleted)" in writers
    assert f"#{comment.pk}" not in rules


def test_nobody_adds_edits_or_deletes_log_entries_not_even_a_superuser(
    admin_client, article
):
    comment = pending_comment(article=article)
    comment.moderate(Comment.Status.APPROVED, by=None)
    entry = ModerationLogEntry.objects.filter(comment_number=comment.pk).last()
    change = reverse("admin:comments_moderationlogentry_change", args=[entry.pk])
    delete = reverse("admin:comments_moderationlogentry_delete", args=[entry.pk])

    added = admin_client.post(reverse("admin:comments_moderationlogentry_add"), {})
    edited = admin_client.post(change, {"message": "Nothing happened.", "_save": "1"})
    deleted = admin_client.post(delete, {"post": "yes"})

    assert (added.status_code, edited.status_code, deleted.status_code) == (
        403,
        403,
        403,
    )
    entry.refresh_from_db()
    assert entry.message != "Nothing happened."
    assert admin_client.get(change).status_code == 200  # read, not written
