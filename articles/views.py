from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render

from articles.models import Article
from comments import roles
from comments.editing import editable_ids
from comments.forms import comment_form_context, render_comment_form
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


def article_or_404(request, slug):
    """Return the article at `slug` with its author, if `request.user` may read it.

    It also says whether it cites any further reading (`cites_articles`), in
    the same query: most articles cite none, and their page then asks no more.
    """
    citations = Article.related_articles.through.objects.filter(
        from_article=OuterRef("pk")
    )
    return get_object_or_404(
        visible_articles(request.user)
        .select_related("author")
        .annotate(cites_articles=Exists(citations)),
        slug=slug,
    )


def further_reading(article):
    """Return the published articles `article` (from article_or_404) cites."""
    if not article.cites_articles:
        return []
    return article.related_articles.published().only("title", "slug")


def article_detail(request, slug):
    return render_article(request, article_or_404(request, slug))


def render_article(request, article, extra_context=None, status=200):
    """Render the article page: the article, further reading, its conversation and the comment form.

    The comment views call this too, to show the form with its errors (or a
    preview) in place under the conversation.
    """
    own_ids = own_comment_ids(request)
    waiting = waiting_own_comments(own_ids)
    context = {
        "article": article,
        "further_reading": further_reading(article),
        **conversation_context(
            request,
            article,
            pending=[
                comment for comment in waiting if comment["article_id"] == article.pk
            ],
            editable=editable_ids(request),
        ),
        **comment_form_context(request, article),
        **(extra_context or {}),
    }
    context["comment_form_html"] = render_comment_form(request, context)
    response = render(request, "articles/article_detail.html", context, status=status)
    forget_decided_own_comments(response, own_ids, waiting)
    return response
