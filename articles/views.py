import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation

from articles import local_pages, page_sql
from articles.models import Article
from comments.cache import FRAGMENT_SECONDS, template_hash
from comments.forms import (
    comment_form_context,
    privacy_periods,
    shared_form,
    shared_form_html,
)
from comments.moderation import sign_form_token
from comments.threads import (
    conversation_context,
    conversation_request,
    keep_own_comment_ids,
)
from config.csrf import get_token

TEMPLATE = "articles/article_detail.html"
# What a cached public page is made by, beside the conversation fragment's own.
PAGE_TEMPLATES = (
    TEMPLATE,
    "base.html",
    "comments/conversation.html",
    "comments/form.html",
    "comments/form_field.html",
)
# Stand-ins for the two per-visitor values of a cached page: a name between
# NUL bytes. A NUL byte never reaches a page otherwise (forms refuse control
# characters), and escaping leaves both markers as they are, so the stored
# page is cut at its NUL bytes (a memchr scan, not a regex) and every other
# part is a marker's name.
_CSRF_NAME = b"parley-csrf-token"
_FORM_TOKEN_NAME = b"parley-form-token"  # noqa: S105 - not a secret
CSRF_MARKER = f"\x00{_CSRF_NAME.decode()}\x00"
FORM_TOKEN_MARKER = f"\x00{_FORM_TOKEN_NAME.decode()}\x00"
# Part of every page key: moved on when the stored parts change shape, so a
# deploy never reads pages cut the old way.
_PAGE_FORMAT = 2


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


def article_or_404(request, slug):
    """Return the article at `slug` with its author, if `request.user` may read it."""
    article = page_sql.find_article(slug, drafts=request.user.is_staff)
    if article is None:
        raise Http404("No article here.")
    return article


def article_detail(request, slug):
    lookup = local_pages.look_up(request, slug)
    if lookup is not None and lookup.page is not None:
        page = lookup.page
        return HttpResponse(fill_tokens(request, page.article_id, page.parts))
    article = article_or_404(request, slug)
    return render_article(request, article, local_lookup=lookup)


def render_article(
    request, article, extra_context=None, status=200, *, local_lookup=None
):
    """Render the article page: the article, further reading, its conversation and the comment form.

    The comment views call this too, to show the form with its errors (or a
    preview) in place under the conversation. `local_lookup` is the request's
    articles.local_pages.look_up(), to keep the shared page in this process.
    """
    wanted = conversation_request(request, article)
    response = None
    if extra_context is None and status == 200:
        html = public_page(request, article, wanted, local_lookup)
        if html is not None:
            response = HttpResponse(html)
    if response is None:
        context = {
            "article": article,
            "further_reading": page_sql.further_reading(article),
            **conversation_context(request, article, wanted),
            **comment_form_context(request, article),
            **(extra_context or {}),
        }
        response = render(request, TEMPLATE, context, status=status)
    if wanted.own_comment_ids is not None:
        keep_own_comment_ids(response, wanted.own_comment_ids)
    return response


def public_page(request, article, wanted, local_lookup=None):
    """Return the page (bytes) every visitor like this one sees, from the page cache; None when it is theirs alone.

    Most readers see the same page: not staff, no message to show, no held
    comment of their own, nothing remembered in the form, not replying. Theirs
    is rendered once, with markers in place of the CSRF token and the signed
    form token, stored under a key made of everything it shows (the
    conversation fragment's key among them), and filled in per request.
    `wanted` is the request's conversation_request().
    """
    if request.user.is_staff or not article.is_published or wanted.key is None:
        return None
    if wanted.comments_open and not shared_form(request, article):
        return None
    if len(messages.get_messages(request)):
        return None
    further_reading = page_sql.further_reading(article)
    key = _page_key(article, wanted, further_reading)
    parts = cache.get(key)
    if parts is None:
        html = _render_shared_page(request, article, wanted, further_reading)
        # Stored encoded and cut at the markers: a request joins, nothing more.
        parts = html.encode().split(b"\x00")
        expected = [_CSRF_NAME, _FORM_TOKEN_NAME] if wanted.comments_open else []
        if sorted(parts[1::2]) != expected:
            return None
        cache.set(key, parts, timeout=FRAGMENT_SECONDS)
    if local_lookup is not None:
        local_pages.keep(local_lookup, article, parts)
    return fill_tokens(request, article.pk, parts)


def fill_tokens(request, article_id, parts):
    """Return the shared page cut at its token markers, with this visitor's tokens put in."""
    if len(parts) == 1:
        return parts[0]
    tokens = {
        _CSRF_NAME: get_token(request).encode(),
        _FORM_TOKEN_NAME: sign_form_token(article_id).encode(),
    }
    filled = list(parts)
    filled[1::2] = [tokens[name] for name in parts[1::2]]
    return b"".join(filled)


def _render_shared_page(request, article, wanted, further_reading):
    """Return the page with markers in place of the two tokens."""
    context = {
        "article": article,
        "further_reading": further_reading,
        **conversation_context(request, article, wanted),
        "comment_form": None,
        "reply_to": None,
        "comments_open": wanted.comments_open,
        "comment_preview": None,
        "privacy": privacy_periods(),
    }
    if wanted.comments_open:
        context["comment_form_html"] = shared_form_html(
            request, article, csrf_token=CSRF_MARKER, form_token=FORM_TOKEN_MARKER
        )
    return render_to_string(TEMPLATE, context, request)


def _page_key(article, wanted, further_reading):
    author = article.author
    shown = (
        _PAGE_FORMAT,
        wanted.key,
        article.pk,
        article.slug,
        article.title,
        article.standfirst,
        article.body,
        article.status,
        article.published_at,
        article.comment_count,
        article.author_id,
        author.get_full_name(),
        author.username,
        [(related.pk, related.title, related.slug) for related in further_reading],
        privacy_periods(),
        settings.SITE_NAME,
        timezone.get_current_timezone_name(),
        translation.get_language(),
        static("css/site.css"),
        static("js/comments.js"),
        [template_hash(name) for name in PAGE_TEMPLATES],
    )
    digest = hashlib.blake2s(repr(shown).encode(), digest_size=16).hexdigest()
    return f"parley:article-page:{article.pk}:{digest}"
