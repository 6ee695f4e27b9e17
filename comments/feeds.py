"""Feeds of published comments, in RSS and Atom: one article's conversation, and the latest site-wide.

A feed shows what the article page shows and nothing more: approved
comments on published articles, never a reply under a comment the public
does not see (comments.models.visible_comment_ids decides), erased or deleted
comments as their placeholder, and bodies as the page renders them
(sanitised when stored).

Feed readers poll. The conversation version of an article moves on with
every change the public could see (comments.models.conversation_changed), so
it makes an exact ETag: a repeated request is answered 304 from one small
query, without reading a comment. There is no Last-Modified validator of our
own: a comment hidden or erased changes the feed without a date to show for it.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, F, Max, Sum
from django.shortcuts import get_object_or_404
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from articles.feeds import conditional_view
from articles.models import Article
from comments.models import Comment, visible_comment_ids

COMMENTS_IN_FEED = 30
# Rounds of reading further back when hidden threads fill the newest rows.
MAX_ROUNDS = 10


def visible_ids(comments):
    """Return the ids of `comments` (approved) whose every comment above is approved too, in one query."""
    above = {int(part) for comment in comments for part in comment.path.split("/")[:-1]}
    pairs = {
        (comment.path, comment.pk, comment.parent_id) for comment in comments
    } | set(
        Comment.objects.approved()
        .filter(pk__in=above)
        .values_list("path", "id", "parent_id")
    )
    # In path order a parent comes before its replies.
    return visible_comment_ids(
        (pk, parent_id) for _path, pk, parent_id in sorted(pairs)
    )


def latest_visible(comments, limit=COMMENTS_IN_FEED):
    """Return the first `limit` of the approved `comments` the public sees."""
    shown = []
    for round_number in range(MAX_ROUNDS):
        start = round_number * limit
        chunk = list(comments[start : start + limit])
        visible = visible_ids(chunk)
        shown.extend(comment for comment in chunk if comment.pk in visible)
        if len(shown) >= limit or len(chunk) < limit:
            break
    return shown[:limit]


def published_comments():
    """Return the approved comments of published articles, newest published first."""
    return (
        Comment.objects.approved()
        .filter(article__in=Article.objects.published())
        .select_related("article")
        .order_by(F("published_at").desc(nulls_last=True), "-pk")
    )


class CommentFeedMixin:
    """What an entry shows of a comment: as the article page shows it."""

    def item_title(self, item):
        return f"{item.display_name} on {item.article.title}"

    def item_description(self, item):
        if item.is_removed:
            # Erased, or deleted by its writer: its placeholder, as on the page.
            return f"<p>{item.display_name}</p>"
        return item.body_html

    def item_author_name(self, item):
        return item.display_name

    def item_pubdate(self, item):
        return item.published_at or item.created_at


class ArticleCommentsFeed(CommentFeedMixin, Feed):
    def get_object(self, request, slug):
        return get_object_or_404(Article.objects.published(), slug=slug)

    def title(self, obj):
        return f"Comments on {obj.title}"

    def link(self, obj):
        return f"{obj.get_absolute_url()}#comments"

    def description(self, obj):
        return f"The latest published comments on “{obj.title}”, {settings.SITE_NAME}."

    def items(self, obj):
        return latest_visible(published_comments().filter(article=obj))


class ArticleCommentsAtomFeed(ArticleCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj):
        return self.description(obj)


class LatestCommentsFeed(CommentFeedMixin, Feed):
    link = reverse_lazy("articles:list")

    def title(self):
        return f"{settings.SITE_NAME}: latest comments"

    def description(self):
        return (
            f"The latest published comments on every article of {settings.SITE_NAME}."
        )

    def items(self):
        return latest_visible(published_comments())


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


def article_comments_etag(request, slug):
    article = (
        Article.objects.published()
        .filter(slug=slug)
        .values("pk", "conversation_version", "updated_at")
        .first()
    )
    if article is None:
        return None
    return "comments-{pk}-{conversation_version}-{stamp}".format(
        **article, stamp=article["updated_at"].timestamp()
    )


def latest_comments_etag(request):
    # Every change to a conversation moves one article's version on by one,
    # so the sum moves too; the count and the newest change cover an article
    # published, withdrawn or deleted.
    state = Article.objects.published().aggregate(
        count=Count("pk"),
        versions=Sum("conversation_version"),
        changed=Max("updated_at"),
    )
    changed = state["changed"].timestamp() if state["changed"] else 0
    return f"comments-{state['count']}-{state['versions'] or 0}-{changed}"


article_comments_rss = conditional_view(ArticleCommentsFeed(), article_comments_etag)
article_comments_atom = conditional_view(
    ArticleCommentsAtomFeed(), article_comments_etag
)
latest_comments_rss = conditional_view(LatestCommentsFeed(), latest_comments_etag)
latest_comments_atom = conditional_view(LatestCommentsAtomFeed(), latest_comments_etag)
