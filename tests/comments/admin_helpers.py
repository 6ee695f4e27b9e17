"""Staff members in the roles the migration creates, for the admin tests."""

from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Comment
from tests.factories import CommentFactory, StaffFactory

CHANGELIST = reverse("admin:comments_comment_changelist")


def editor(username="erin", **fields):
    user = StaffFactory(
        username=username, first_name="Erin", last_name="Editor", **fields
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def author(username="dana", **fields):
    user = StaffFactory(
        username=username, first_name="Dana", last_name="Writer", **fields
    )
    user.groups.add(Group.objects.get(name="Authors"))
    return user


def pending_comment(**fields):
    return CommentFactory(status=Comment.Status.PENDING, published_at=None, **fields)


def change_url(comment):
    return reverse("admin:comments_comment_change", args=[comment.pk])


def admin_url(name, comment):
    return reverse(f"admin:comments_comment_{name}", args=[comment.pk])


def run_action(client, action, comments, query=""):
    return client.post(
        CHANGELIST + query,
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]
