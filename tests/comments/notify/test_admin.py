"""The admin answers "did Gunther get the reply email?" and lets no one rewrite the answer."""

import pytest
from django.contrib.auth.models import Group

from comments.models import Notification, StaffPreference
from tests.factories import CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    editor = StaffFactory(username="erin")
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def test_an_editor_sees_whether_and_why_an_email_was_not_sent(client, editor):
    gunther = CommentFactory(author_name="Gunther", author_email="gunther@example.org")
    Notification.objects.create(
        kind=Notification.Kind.REPLY,
        comment=gunther,
        recipient="gunther@example.org",
        status=Notification.Status.SKIPPED,
        reason="address not confirmed",
    )
    client.force_login(editor)

    response = client.get("/admin/comments/notification/", {"q": "gunther@example.org"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "gunther@example.org" in content
    assert "Skipped" in content
    assert "address not confirmed" in content


def test_notification_records_cannot_be_added_changed_or_deleted(client, editor):
    sent = Notification.objects.create(
        kind=Notification.Kind.REPLY,
        comment=CommentFactory(),
        recipient="gunther@example.org",
        status=Notification.Status.SENT,
    )
    client.force_login(editor)

    change_page = client.get(f"/admin/comments/notification/{sent.pk}/change/")
    edit = client.post(
        f"/admin/comments/notification/{sent.pk}/change/", {"status": "failed"}
    )

    assert change_page.status_code == 200
    assert b'name="status"' not in change_page.content
    assert edit.status_code == 403
    assert client.get("/admin/comments/notification/add/").status_code == 403
    assert (
        client.get(f"/admin/comments/notification/{sent.pk}/delete/").status_code == 403
    )
    sent.refresh_from_db()
    assert sent.status == Notification.Status.SENT


def test_staff_set_their_own_moderation_email_preference_only(client, editor):
    other = StaffFactory(username="omar")
    theirs = StaffPreference.objects.create(user=other, email_on_held_comments=True)
    client.force_login(editor)

    added = client.post(
        "/admin/comments/staffpreference/add/", {"email_on_held_comments": "on"}
    )
    listing = client.get("/admin/comments/staffpreference/")
    someone_elses = client.get(f"/admin/comments/staffpreference/{theirs.pk}/change/")

    assert added.status_code == 302
    mine = StaffPreference.objects.get(user=editor)
    assert mine.email_on_held_comments
    assert "omar" not in listing.content.decode()
    assert someone_elses.status_code == 302  # "does not exist", back to the index
    assert someone_elses.url == "/admin/"
