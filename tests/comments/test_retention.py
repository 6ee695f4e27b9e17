"""Old network details are cleared and old spam deleted, as the privacy note promises."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, CommentReport
from comments.tasks import purge_old_data
from tests.factories import CommentFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def comment(age_in_days, **fields):
    return CommentFactory(
        created_at=days_ago(age_in_days),
        ip_address="192.0.2.10",
        user_agent="Mozilla/5.0 (X11; Linux x86_64)",
        **fields,
    )


def test_network_details_are_cleared_from_comments_older_than_ninety_days():
    old = comment(91)
    recent = comment(89)

    call_command("purge_old_data", stdout=io.StringIO())

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == (
        "192.0.2.10",
        "Mozilla/5.0 (X11; Linux x86_64)",
    )
    assert old.body == "I have a thought about this."


def test_network_details_are_cleared_from_old_reports_too():
    reported = comment(10)
    old = CommentReport.objects.create(
        comment=reported, reason="rude", ip_address="198.51.100.7"
    )
    CommentReport.objects.filter(pk=old.pk).update(created_at=days_ago(100))

    call_command("purge_old_data", stdout=io.StringIO())

    old.refresh_from_db()
    assert old.ip_address is None


def test_spam_is_deleted_thirty_days_after_it_was_marked():
    old_spam = comment(40, status=Comment.Status.SPAM, moderated_at=days_ago(31))
    recently_marked = comment(40, status=Comment.Status.SPAM, moderated_at=days_ago(2))
    old_spam_never_reviewed = comment(31, status=Comment.Status.SPAM)
    old_approved = comment(400)

    call_command("purge_old_data", stdout=io.StringIO())

    remaining = set(Comment.objects.values_list("pk", flat=True))
    assert old_spam.pk not in remaining
    assert old_spam_never_reviewed.pk not in remaining
    assert {recently_marked.pk, old_approved.pk} <= remaining


def test_the_command_reports_what_it_did():
    comment(91)
    comment(40, status=Comment.Status.SPAM)
    output = io.StringIO()

    call_command("purge_old_data", stdout=output)

    assert output.getvalue().strip() == (
        "Cleared network details from 1 comment(s) and 0 report(s); "
        "deleted 1 old spam comment(s) and 0 record(s) of used comment forms."
    )


def test_the_retention_periods_are_settings(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_IP_RETENTION_DAYS": 7,
        "SPAM_RETENTION_DAYS": 3,
    }
    week_old = comment(8)
    spam = comment(4, status=Comment.Status.SPAM)

    call_command("purge_old_data", stdout=io.StringIO())

    week_old.refresh_from_db()
    assert week_old.ip_address is None
    assert not Comment.objects.filter(pk=spam.pk).exists()


def test_the_purge_runs_as_a_task_on_the_worker():
    old = comment(91)

    call_command("purge_old_data", "--enqueue", stdout=io.StringIO())
    run_queued_tasks()

    old.refresh_from_db()
    assert old.ip_address is None


def test_the_task_returns_the_counts():
    comment(91)

    result = purge_old_data.enqueue()
    run_queued_tasks()
    result.refresh()

    assert result.return_value == {
        "comments_cleared": 1,
        "reports_cleared": 0,
        "spam_deleted": 0,
        "form_tokens_deleted": 0,
    }
