"""The feed of the latest articles, in RSS and Atom (django.contrib.syndication).

Only what the public reads: ArticleQuerySet.published(). Feed readers poll,
so the view answers a repeated request with 304 Not Modified from one cheap
aggregate query (conditional_articles_view), without building the feed.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Count, Max
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import condition

from articles.models import Article
from comments.moderation_log import person_name

ARTICLES_IN_FEED = 20


class LatestArticlesFeed(Feed):
    link = reverse_lazy("articles:list")

    def title(self):
        return f"{settings.SITE_NAME}: latest articles"

    def description(self):
        return f"The latest articles published on {settings.SITE_NAME}."

    def items(self):
        return Article.objects.published().select_related("author")[:ARTICLES_IN_FEED]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Sanitised when the article was saved (articles.sanitize).
        return item.body

    def item_author_name(self, item):
        return person_name(item.author)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()


def published_articles_state():
    """Return how many articles are public, their newest change and newest publication, in one query."""
    return Article.objects.published().aggregate(
        count=Count("pk"), changed=Max("updated_at"), published=Max("published_at")
    )


def articles_etag(state):
    changed, published = state["changed"], state["published"]
    stamps = [moment.timestamp() if moment else 0 for moment in (changed, published)]
    return "articles-{}-{}-{}".format(state["count"], *stamps)


def articles_last_modified(state):
    moments = [moment for moment in (state["changed"], state["published"]) if moment]
    return max(moments, default=None)


def conditional_view(feed, etag_func, last_modified_func=None):
    """Return `feed`'s view answering 304 when the reader's validators still hold."""
    return condition(etag_func=etag_func, last_modified_func=last_modified_func)(feed)


def conditional_articles_view(feed):
    """Return `feed`'s view answering 304 from one query: both validators read the same state."""

    def view(request, *args, **kwargs):
        state = published_articles_state()
        return conditional_view(
            feed,
            lambda *_args, **_kwargs: articles_etag(state),
            lambda *_args, **_kwargs: articles_last_modified(state),
        )(request, *args, **kwargs)

    return view


latest_articles_rss = conditional_articles_view(LatestArticlesFeed())
latest_articles_atom = conditional_articles_view(LatestArticlesAtomFeed())
