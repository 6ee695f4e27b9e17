"""Featured comments: comments/featuring.py."""

import pytest
from django.contrib.admin.models import LogEntry

from comments.featuring import CannotFeature, set_featured
from comments.models import Comment
from tests.factories import CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def log_of(comment):
    return list(
        LogEntry.objects.filter(object_id=str(comment.pk))
        .order_by("pk")
        .values_list("change_message", flat=True)
    )


def test_featuring_an_approved_comment_is_recorded_once(article):
    erin = StaffFactory(username="erin")
    comment = CommentFactory(article=article)

    assert set_featured(comment, True, by=erin) is True
    assert set_featured(comment, True, by=erin) is False
    assert set_featured(comment, False, by=erin) is True

    comment.refresh_from_db()
    assert not comment.is_featured
    assert log_of(comment) == ["Featured.", "Unfeatured."]


def test_a_comment_the_public_cannot_see_cannot_be_featured(article):
    erin = StaffFactory(username="erin")
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)

    with pytest.raises(CannotFeature):
        set_featured(comment, True, by=erin)

    comment.refresh_from_db()
    assert not comment.is_featured
    assert log_of(comment) == []
