"""A removed (erased) comment stays in its thread as a placeholder, and cannot be answered."""

import pytest

from comments import privacy
from comments.models import Comment
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def erased(article):
    comment = CommentFactory(article=article, author_email="gunther@example.org")
    privacy.erase_email("gunther@example.org")
    return Comment.objects.get(pk=comment.pk)


def test_a_reply_to_an_erased_comment_is_refused_and_the_text_kept(
    client, article, erased
):
    response = client.post(
        post_url(article),
        form_data(article, parent=str(erased.pk), comment="Answering the gone."),
    )

    assert erased.is_removed and erased.status == Comment.Status.APPROVED
    assert "You can only reply to a published comment on this article" in text_of(
        response
    )
    assert "Answering the gone." in response.content.decode()
    assert not Comment.objects.filter(parent=erased).exists()


def test_the_reply_link_of_an_erased_comment_opens_no_reply(client, article, erased):
    page = client.get(f"{article.get_absolute_url()}?replyto={erased.pk}")

    assert "Replying to" not in text_of(page)
    assert f'name="parent" id="id_parent" value="{erased.pk}"' not in (
        page.content.decode()
    )
