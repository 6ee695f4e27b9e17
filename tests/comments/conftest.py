import pytest

from comments.signals import comment_published
from tests.comments.admin_helpers import author, editor


@pytest.fixture
def erin(db):
    return editor()


@pytest.fixture
def dana(db):
    """An author: she decides the comments on her own articles only."""
    return author()


@pytest.fixture
def editor_client(client, erin):
    client.force_login(erin)
    return client


@pytest.fixture
def published():
    """Collect every comment_published signal, as the notifications would receive it."""
    received = []

    def receiver(sender, comment, **kwargs):
        received.append(comment.pk)

    comment_published.connect(receiver, dispatch_uid="test-published")
    yield received
    comment_published.disconnect(dispatch_uid="test-published")
