"""A visitor's held comment stays in place for them on every later view, kept page or not."""

import pytest

from tests.comments.posting_helpers import (
    form_data,
    own_comment_ids_of,
    post_url,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

HELD = "Waiting for an editor, and shown to me meanwhile."


def test_a_held_comment_is_shown_to_its_sender_on_every_later_view(client, article):
    CommentFactory(article=article, body="Already published.")
    reader = client.__class__()
    # Another reader's view keeps the conversation in the cache.
    assert "Already published." in reader.get(article.get_absolute_url()).text
    client.post(post_url(article), form_data(article, comment=HELD))
    [held_id] = own_comment_ids_of(client)

    views = [client.get(article.get_absolute_url()).text for _ in range(3)]
    others = reader.get(article.get_absolute_url()).text
    after_others = client.get(article.get_absolute_url()).text

    assert all(HELD in page and "Already published." in page for page in views)
    assert HELD in after_others
    assert HELD not in others and "Already published." in others
    assert own_comment_ids_of(client) == [held_id]


def test_a_held_comment_stays_when_the_conversation_changes(client, article):
    client.post(post_url(article), form_data(article, comment=HELD))
    client.get(article.get_absolute_url())

    CommentFactory(article=article, body="Published meanwhile.")
    page = client.get(article.get_absolute_url()).text

    assert HELD in page
