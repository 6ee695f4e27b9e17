"""The comment feeds, read with a real feed parser: only what the article page shows."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments.models import Comment
from comments.sanitize import DELETED_PLACEHOLDER, REMOVED_PLACEHOLDER
from tests.articles.feed_reading import read_feed
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

KINDS = ["rss", "atom"]
# Words of the `conversation` fixture's comments the public must not see.
HIDDEN_WORDS = [
    "Pending",
    "Spam",
    "Rejected",
    "hidden one",
    "draft",
    "Erased",
    "Deleted",
]


def article_feed_url(article, kind):
    return reverse(f"comments:article-feed-{kind}", args=[article.slug])


def entry_texts(parsed):
    return [entry.get("summary", "") for entry in parsed.entries]


@pytest.fixture
def conversation(article):
    """A conversation with every kind of comment the public must not see, and one erased."""
    shown = CommentFactory(
        article=article, body="Shown to everyone: https://example.org/a?b=1&c=2"
    )
    reply = CommentFactory(article=article, parent=shown, body="A visible reply.")
    CommentFactory(
        article=article, status=Comment.Status.PENDING, body="Pending words."
    )
    CommentFactory(article=article, status=Comment.Status.SPAM, body="Spam words.")
    held = CommentFactory(
        article=article, status=Comment.Status.REJECTED, body="Rejected words."
    )
    CommentFactory(article=article, parent=held, body="Reply under a hidden one.")
    erased = CommentFactory(
        article=article,
        author_name="Erased Name",
        body="Erased words.",
        is_removed=True,
    )
    deleted = CommentFactory(
        article=article,
        author_name="Deleted Name",
        body="Deleted words.",
        is_removed=True,
        deleted_by_writer=True,
    )
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    CommentFactory(article=draft, body="Words on a draft.")
    return {"shown": shown, "reply": reply, "erased": erased, "deleted": deleted}


@pytest.mark.parametrize("kind", KINDS)
def test_an_articles_feed_shows_its_published_comments_as_the_page_does(
    client, article, conversation, kind
):
    _, parsed = read_feed(client, article_feed_url(article, kind))

    assert parsed.feed.title == f"Comments on {article.title}"
    texts = entry_texts(parsed)
    assert len(parsed.entries) == 4
    assert conversation["shown"].body_html in texts  # as the page renders it
    assert any("A visible reply." in text for text in texts)
    assert any(f"<p>{REMOVED_PLACEHOLDER}</p>" == text for text in texts)
    assert any(f"<p>{DELETED_PLACEHOLDER}</p>" == text for text in texts)
    everything = " ".join(texts + [entry.title for entry in parsed.entries])
    for hidden in HIDDEN_WORDS:
        assert hidden not in everything
    reply = conversation["reply"]
    links = [entry.link for entry in parsed.entries]
    assert f"http://testserver{reply.get_absolute_url()}" in links


@pytest.mark.parametrize("kind", KINDS)
def test_the_latest_comments_feed_shows_only_published_comments_of_published_articles(
    client, article, conversation, kind
):
    other = ArticleFactory(title="Another piece")
    CommentFactory(article=other, body="Elsewhere on the site.")

    _, parsed = read_feed(client, reverse(f"comments:feed-{kind}"))

    everything = " ".join(
        entry_texts(parsed) + [entry.title for entry in parsed.entries]
    )
    assert len(parsed.entries) == 5
    assert "Elsewhere on the site." in everything
    assert f"on {article.title}" in everything
    for hidden in HIDDEN_WORDS:
        assert hidden not in everything


def test_the_latest_comments_feed_reads_past_newest_comments_that_are_hidden(
    client, article, settings
):
    old = CommentFactory(article=article, body="An older visible comment.")
    hidden = CommentFactory(article=article, status=Comment.Status.REJECTED)
    for _ in range(40):  # more than a feed's worth, all under the rejected one
        CommentFactory(article=article, parent=hidden, body="Hidden reply.")

    _, parsed = read_feed(client, reverse("comments:feed-rss"))

    assert [entry.summary for entry in parsed.entries] == [old.body_html]


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_or_unknown_articles_feed_is_not_found(client, kind):
    draft = ArticleFactory(status=Article.Status.DRAFT, published_at=None)
    CommentFactory(article=draft)

    assert client.get(article_feed_url(draft, kind)).status_code == 404
    missing = reverse(f"comments:article-feed-{kind}", args=["no-such-article"])
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize(
    "url_of",
    [
        lambda article: article_feed_url(article, "rss"),
        lambda article: reverse("comments:feed-atom"),
    ],
    ids=["article", "latest"],
)
def test_a_feed_reader_polling_again_gets_304_until_the_conversation_changes(
    article, url_of, django_assert_max_num_queries
):
    comment = CommentFactory(article=article, body="Already there.")
    reader = Client()
    first = reader.get(url_of(article))
    assert first.status_code == 200
    assert first.headers["ETag"]

    with django_assert_max_num_queries(1):
        again = reader.get(
            url_of(article), headers={"if-none-match": first.headers["ETag"]}
        )
    assert again.status_code == 304

    comment.reject()  # the public no longer sees it
    changed = reader.get(
        url_of(article), headers={"if-none-match": first.headers["ETag"]}
    )
    assert changed.status_code == 200
    assert "Already there." not in changed.content.decode()


def test_the_article_page_links_to_its_comment_feeds(client, article):
    html = client.get(article.get_absolute_url()).content.decode()

    for kind, media in [("rss", "rss"), ("atom", "atom")]:
        href = article_feed_url(article, kind)
        assert (
            f'<link rel="alternate" type="application/{media}+xml" '
            f'title="Comments on {article.title} ({kind.upper() if kind == "rss" else "Atom"})" '
            f'href="{href}">'
        ) in html
    assert f'href="{reverse("comments:feed-rss")}"' in html
