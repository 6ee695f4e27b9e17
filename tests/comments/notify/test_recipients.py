"""Who is emailed when a comment is submitted or published, and why not when they are not."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from comments.models import Comment, Notification, StaffPreference, Subscriber
from tests.factories import ArticleFactory, CommentFactory, StaffFactory
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
Status = Notification.Status


def confirmed(email):
    Subscriber.objects.create(email=email, confirmed_at=timezone.now())


def in_group(user, name):
    user.groups.add(Group.objects.get(name=name))
    return user


def reply_to(parent, **fields):
    """Submit a reply to `parent` the way the site does; pending unless told otherwise."""
    defaults = {
        "article": parent.article,
        "parent": parent,
        "author_name": "Someone Else",
        "author_email": "someone@example.net",
        "body": "A reply.",
        "status": Comment.Status.PENDING,
        "notify_on_reply": False,
    }
    return Comment(**{**defaults, **fields}).submit(moderator=fields.get("user"))


def sent_to(mailoutbox):
    return sorted(address for message in mailoutbox for address in message.to)


def notification(kind, recipient):
    return Notification.objects.get(kind=kind, recipient=recipient)


# A published reply: the parent comment's author.


def test_reply_notifies_the_parent_author_once(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")
    editor = in_group(StaffFactory(email="erin@example.com"), "Editors")

    reply_to(
        gunther,
        author_name="Erin Editor",
        author_email="erin@example.com",
        user=editor,
        badge=Comment.Badge.STAFF,
        status=Comment.Status.APPROVED,
    )
    run_queued_tasks()
    run_queued_tasks()

    assert sent_to(mailoutbox) == ["gunther@example.org"]
    sent = notification(Kind.REPLY, "gunther@example.org")
    assert sent.status == Status.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None


def test_reply_is_emailed_when_it_is_approved_not_when_it_is_held(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")
    editor = in_group(StaffFactory(), "Editors")
    reply = reply_to(gunther)
    run_queued_tasks()
    assert "gunther@example.org" not in sent_to(mailoutbox)

    reply.approve(by=editor)
    run_queued_tasks()

    assert sent_to(mailoutbox).count("gunther@example.org") == 1


def test_each_comment_approved_in_bulk_notifies_its_parent_author(mailoutbox, article):
    editor = in_group(StaffFactory(), "Editors")
    parents = [
        CommentFactory(article=article, author_email=f"reader{n}@example.org")
        for n in range(3)
    ]
    for parent in parents:
        confirmed(parent.author_email)
    replies = [reply_to(parent) for parent in parents]

    for reply in Comment.objects.filter(pk__in=[r.pk for r in replies]):
        reply.approve(by=editor)
    run_queued_tasks()

    assert sent_to(mailoutbox) == [
        "reader0@example.org",
        "reader1@example.org",
        "reader2@example.org",
    ]


def test_reply_to_an_unconfirmed_address_is_skipped_with_the_reason(
    mailoutbox, article
):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")

    reply_to(gunther, status=Comment.Status.APPROVED)
    run_queued_tasks()

    assert mailoutbox == []
    skipped = notification(Kind.REPLY, "gunther@example.org")
    assert skipped.status == Status.SKIPPED
    assert skipped.reason == "address not confirmed"


def test_reply_to_an_unsubscribed_address_is_skipped(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    Subscriber.objects.create(
        email="gunther@example.org",
        confirmed_at=timezone.now(),
        unsubscribed_at=timezone.now(),
    )

    reply_to(gunther, status=Comment.Status.APPROVED)
    run_queued_tasks()

    assert mailoutbox == []
    assert notification(Kind.REPLY, "gunther@example.org").reason == "unsubscribed"


def test_reply_to_someone_who_did_not_tick_email_me_is_skipped(mailoutbox, article):
    gunther = CommentFactory(
        article=article, author_email="gunther@example.org", notify_on_reply=False
    )
    confirmed("gunther@example.org")

    reply_to(gunther, status=Comment.Status.APPROVED)
    run_queued_tasks()

    assert mailoutbox == []
    skipped = notification(Kind.REPLY, "gunther@example.org")
    assert skipped.reason == "did not ask for email"


def test_replying_to_your_own_comment_sends_you_nothing(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")

    reply_to(
        gunther,
        author_email="Gunther@Example.org",
        status=Comment.Status.APPROVED,
    )
    run_queued_tasks()

    assert mailoutbox == []
    assert (
        notification(Kind.REPLY, "gunther@example.org").reason
        == "replied to their own comment"
    )


def test_a_staff_member_answering_their_own_comment_under_another_address_is_not_emailed(
    mailoutbox, article
):
    dana = in_group(StaffFactory(email="dana@example.com"), "Authors")
    first = CommentFactory(article=article, author_email="dana@example.com", user=dana)

    reply_to(
        first,
        author_email="dana.whitfield@example.com",
        user=dana,
        status=Comment.Status.APPROVED,
    )
    run_queued_tasks()

    assert "dana@example.com" not in sent_to(mailoutbox)


def test_a_staff_members_own_account_address_needs_no_confirmation(mailoutbox, article):
    dana = StaffFactory(email="dana@example.com")
    answer = CommentFactory(
        article=article,
        author_email="dana@example.com",
        user=dana,
        badge=Comment.Badge.AUTHOR,
    )

    reply_to(answer, status=Comment.Status.APPROVED)
    run_queued_tasks()

    assert sent_to(mailoutbox) == ["dana@example.com"]


def test_consent_withdrawn_before_the_worker_runs_stops_the_email(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")
    reply_to(gunther, status=Comment.Status.APPROVED)

    Subscriber.objects.get(email="gunther@example.org").unsubscribe()
    run_queued_tasks()

    assert mailoutbox == []
    skipped = notification(Kind.REPLY, "gunther@example.org")
    assert skipped.status == Status.SKIPPED
    assert skipped.reason == "unsubscribed"


def test_a_reply_rejected_before_the_worker_runs_is_not_announced(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")
    editor = in_group(StaffFactory(), "Editors")
    reply = reply_to(gunther, status=Comment.Status.APPROVED)

    reply.reject(by=editor)
    run_queued_tasks()

    assert mailoutbox == []
    assert (
        notification(Kind.REPLY, "gunther@example.org").reason
        == "comment no longer published"
    )


def test_a_rolled_back_approval_sends_nothing(mailoutbox, article):
    gunther = CommentFactory(article=article, author_email="gunther@example.org")
    confirmed("gunther@example.org")
    editor = in_group(StaffFactory(), "Editors")
    reply = reply_to(gunther)

    with pytest.raises(RuntimeError), transaction.atomic():
        reply.approve(by=editor)
        raise RuntimeError("the request failed after approving")
    run_queued_tasks()

    assert mailoutbox == []
    assert not Notification.objects.filter(kind=Kind.REPLY).exists()


# A held comment: the article's author and editors who opt in.


def test_held_comment_emails_the_article_author_and_editors_who_opted_in(mailoutbox):
    dana = in_group(StaffFactory(email="dana@example.com"), "Authors")
    erin = in_group(StaffFactory(email="erin@example.com"), "Editors")
    in_group(StaffFactory(email="quiet@example.com"), "Editors")
    StaffPreference.objects.create(user=erin, email_on_held_comments=True)
    article = ArticleFactory(author=dana)

    Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="Would you treat a small charity differently?",
        status_reason="contains a link",
        notify_on_reply=False,
    ).submit()
    run_queued_tasks()

    assert sent_to(mailoutbox) == ["dana@example.com", "erin@example.com"]
    assert "contains a link" in mailoutbox[0].body


def test_held_comment_is_not_emailed_to_staff_who_may_not_moderate_it(mailoutbox):
    other_author = in_group(StaffFactory(email="omar@example.com"), "Authors")
    StaffPreference.objects.create(user=other_author, email_on_held_comments=True)
    dana = in_group(StaffFactory(email="dana@example.com"), "Authors")

    CommentFactory(
        article=ArticleFactory(author=dana),
        status=Comment.Status.PENDING,
        published_at=None,
        notify_on_reply=False,
    ).submit()
    run_queued_tasks()

    assert sent_to(mailoutbox) == ["dana@example.com"]


def test_held_comment_email_is_skipped_once_the_comment_is_decided(mailoutbox):
    dana = in_group(StaffFactory(email="dana@example.com"), "Authors")
    held = CommentFactory(
        article=ArticleFactory(author=dana),
        status=Comment.Status.PENDING,
        published_at=None,
        notify_on_reply=False,
    ).submit()

    held.mark_spam(by=dana)
    run_queued_tasks()

    assert mailoutbox == []
    assert notification(Kind.HELD, "dana@example.com").reason == (
        "comment already decided"
    )


# Your comment is live.


def test_approving_a_held_comment_tells_its_writer_it_is_live(mailoutbox, article):
    confirmed("priya@example.net")
    editor = in_group(StaffFactory(), "Editors")
    held = Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="A question.",
    ).submit()

    held.approve(by=editor)
    run_queued_tasks()

    live = [m for m in mailoutbox if m.to == ["priya@example.net"]]
    assert len(live) == 1
    assert "is live" in live[0].subject
    assert notification(Kind.PUBLISHED, "priya@example.net").status == Status.SENT


def test_a_comment_published_as_submitted_gets_no_live_email(mailoutbox, article):
    confirmed("dana@example.com")

    Comment(
        article=article,
        author_name="Dana",
        author_email="dana@example.com",
        body="Published straight away.",
        status=Comment.Status.APPROVED,
    ).submit()
    run_queued_tasks()

    assert mailoutbox == []
    assert not Notification.objects.filter(kind=Kind.PUBLISHED).exists()


def test_a_writer_who_did_not_ask_for_email_is_not_told_it_is_live(mailoutbox, article):
    confirmed("priya@example.net")
    held = Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="A question.",
        notify_on_reply=False,
    ).submit()

    held.approve(by=in_group(StaffFactory(), "Editors"))
    run_queued_tasks()

    assert "priya@example.net" not in sent_to(mailoutbox)


# Address confirmation (double opt-in).


def test_first_request_for_reply_emails_sends_one_confirmation(mailoutbox, article):
    for body in ("First thought.", "Second thought."):
        Comment(
            article=article,
            author_name="Priya",
            author_email="priya@example.net",
            body=body,
        ).submit()
    run_queued_tasks()

    assert sent_to(mailoutbox) == ["priya@example.net"]
    assert "Confirm your address" in mailoutbox[0].subject
    assert Subscriber.objects.get(email="priya@example.net").confirmed_at is None


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(mailoutbox, article):
    held = Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="A question.",
    ).submit()
    held.approve(by=in_group(StaffFactory(), "Editors"))
    reply_to(held, status=Comment.Status.APPROVED)
    run_queued_tasks()

    assert [m.subject for m in mailoutbox if m.to == ["priya@example.net"]] == [
        "Confirm your address for reply emails from Parley"
    ]
    assert notification(Kind.PUBLISHED, "priya@example.net").reason == (
        "address not confirmed"
    )


def test_a_confirmed_address_is_not_asked_again(mailoutbox, article):
    confirmed("priya@example.net")

    Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="Another comment.",
    ).submit()
    run_queued_tasks()

    assert "priya@example.net" not in sent_to(mailoutbox)


def test_no_confirmation_is_sent_when_email_me_is_unticked(mailoutbox, article):
    Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="No emails please.",
        notify_on_reply=False,
    ).submit()
    run_queued_tasks()

    assert "priya@example.net" not in sent_to(mailoutbox)
    assert not Subscriber.objects.filter(email="priya@example.net").exists()


def test_an_unsubscribed_address_is_not_asked_to_confirm(mailoutbox, article):
    Subscriber.objects.create(email="priya@example.net", unsubscribed_at=timezone.now())

    Comment(
        article=article,
        author_name="Priya",
        author_email="priya@example.net",
        body="Hello again.",
    ).submit()
    run_queued_tasks()

    assert mailoutbox == []
    assert notification(Kind.CONFIRMATION, "priya@example.net").reason == (
        "unsubscribed"
    )


def test_spam_sends_no_email_at_all(mailoutbox, article):
    Comment(
        article=article,
        author_name="Bot",
        author_email="victim@example.net",
        body="Buy now",
        status=Comment.Status.SPAM,
    ).submit()
    run_queued_tasks()

    assert mailoutbox == []
    assert not Notification.objects.exists()
