from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles.further_reading import further_reading
from articles.models import Article
from comments import roles
from comments.cache import read_fragments
from comments.editing import editable_ids
from comments.forms import (
    add_form_tokens,
    comment_form_context,
    comment_form_fragment,
)
from comments.own_comments import (
    forget_decided_own_comments,
    own_comment_ids,
    waiting_own_comments,
)
from comments.threads import conversation_context


def article_list(request):
    articles = (
        Article.objects.published()
        .select_related("author")
        .only(
            "title", "slug", "standfirst", "published_at", "comment_count",
            "author__first_name", "author__last_name", "author__username",
        )
    )  # fmt: skip
    page = Paginator(articles, settings.PARLEY["ARTICLES_PER_PAGE"]).get_page(
        request.GET.get("page")
    )
    return render(request, "articles/article_list.html", {"page": page})


def visible_articles(user):
    """Return the articles `user` may read: their author and editors also preview drafts."""
    return roles.readable_articles(user, Article.objects.all())


def article_or_404(request, slug, *, with_author=True):
    """Return the article at `slug`, if `request.user` may read it.

    The article is read by its slug alone and who may read it is asked of
    the row in hand: the article page's one query stays as simple as it can be.
    Its author comes in the same query, for the byline; a view that only
    stores against the article passes `with_author=False`: the join costs
    as much CPU as the rest of the query, and a page such a view shows
    again loads the author then.
    """
    articles = (
        Article.objects.select_related("author") if with_author else Article.objects
    )
    article = get_object_or_404(articles, slug=slug)
    if not roles.may_read(request.user, article):
        raise Http404("No article at this address.")
    return article


def article_detail(request, slug):
    return render_article(request, article_or_404(request, slug))


def render_article(request, article, extra_context=None, status=200):
    """Render the article page: the article, further reading, its conversation and the comment form.

    The comment views call this too, to show the form with its errors (or a
    preview) in place under the conversation.
    """
    own_ids = own_comment_ids(request)
    waiting = waiting_own_comments(own_ids)
    threads, conversation = conversation_context(
        request,
        article,
        pending=[comment for comment in waiting if comment["article_id"] == article.pk],
        editable=editable_ids(request),
    )
    context = {
        "article": article,
        "further_reading": further_reading(article),
        **conversation,
        **comment_form_context(request, article),
        **(extra_context or {}),
    }
    # The threads and the blank form are the same for every reader: the
    # cache gives both in one round trip.
    threads_html, form_html = read_fragments(
        threads, comment_form_fragment(request, context)
    )
    if threads_html is None:
        raise Http404("No such page of comments.")
    context["conversation_html"] = threads_html
    context["comment_form_html"] = add_form_tokens(request, context, form_html)
    response = render(request, "articles/article_detail.html", context, status=status)
    forget_decided_own_comments(response, own_ids, waiting)
    return response
