from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from articles.models import Article
from comments.forms import comment_form_context
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
    """Return the articles `user` may read: staff also preview drafts."""
    if user.is_staff:
        return Article.objects.all()
    return Article.objects.published()


def article_detail(request, slug):
    article = get_object_or_404(
        visible_articles(request.user).select_related("author"), slug=slug
    )
    return render_article(request, article)


def render_article(request, article, extra_context=None, status=200):
    """Render the article page: the article, further reading, its conversation and the comment form.

    The comment views call this too, to show the form with its errors (or a
    preview) in place under the conversation.
    """
    further_reading = article.related_articles.published().only("title", "slug")
    context = {
        "article": article,
        "further_reading": further_reading,
        **conversation_context(request, article),
        **comment_form_context(request, article),
        **(extra_context or {}),
    }
    return render(request, "articles/article_detail.html", context, status=status)
