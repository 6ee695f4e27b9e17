from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from articles.models import Article


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
    further_reading = article.related_articles.published().select_related("author")
    context = {"article": article, "further_reading": further_reading}
    return render(request, "articles/article_detail.html", context)
