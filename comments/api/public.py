"""The public API: read an article's conversation and one comment; post, reply and report as a visitor would."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.timezone import get_current_timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from articles.models import Article
from comments.api import schemas
from comments.api.errors import FormRefused
from comments.clients import client_ip, is_reporting_too_often, user_agent
from comments.forms import CommentForm, ReportForm, find_reply_target
from comments.models import Comment
from comments.moderation import sign_form_token
from comments.posting import store_comment
from comments.reports import (
    ALREADY_REPORTED,
    REPORT_FLOOD,
    REPORT_THANKS,
    record_report,
)
from comments.threads import (
    OLDEST,
    SHOWN_FIELDS,
    load_thread_page,
    parse_order,
    shown_comment,
)

router = Router(tags=["Conversation"])


class PageQuery(Schema):
    page: int = 1
    order: str = OLDEST


def published_article(slug):
    return get_object_or_404(Article.objects.published(), slug=slug)


def public_comment(comment_id):
    """Return a comment the public sees on a published article, or raise 404."""
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article"), pk=comment_id
    )
    if not comment.article.is_published or not find_reply_target(
        comment.article, comment.pk
    ):
        raise HttpError(404, "No comment with that id is published.")
    return comment


def comment_out(row, article):
    return {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "level": row["level"],
        "author_name": row["display_name"],
        "author_website": row["website_url"],
        "badge": row["badge_label"],
        "body_html": row["body_html"],
        "created_at": row["created_at"],
        "edited": row["edited"],
        "helpful_count": row["helpful_count"],
        "anchor_url": f"{settings.SITE_URL}{article.get_absolute_url()}"
        f"?comment={row['id']}#{row['anchor']}",
    }


@router.get(
    "/articles/{slug}/comments",
    response={200: schemas.ConversationPage, 404: schemas.Problem},
    summary="A page of an article's conversation",
)
def conversation(request, slug: str, query: Query[PageQuery]):
    """Whole threads, paged by their top-level comment as the article page pages them."""
    article = published_article(slug)
    order = parse_order(query.order)
    page = load_thread_page(article, number=max(query.page, 1), order=order)
    if page is None:
        raise HttpError(404, "That page of comments does not exist.")
    return {
        "article": article.slug,
        "title": article.title,
        "comment_count": article.comment_count,
        "comments_open": article.comments_open,
        "order": order,
        "page": page.number,
        "has_next": page.has_next,
        "comments": [comment_out(row, article) for row in page.entries],
    }


@router.get(
    "/comments/{comment_id}",
    response={200: schemas.CommentOut, 404: schemas.Problem},
    summary="One published comment",
)
def comment(request, comment_id: int):
    found = public_comment(comment_id)
    row = Comment.objects.filter(pk=found.pk).values(*SHOWN_FIELDS).get()
    row["level"] = found.depth
    return comment_out(shown_comment(row, get_current_timezone()), found.article)


@router.get(
    "/articles/{slug}/form-token",
    response={200: schemas.FormToken, 404: schemas.Problem},
    summary="A token to post one comment with",
)
def form_token(request, slug: str):
    """The same signed token the article page's form carries: fetch it, then post within its life."""
    article = published_article(slug)
    return {
        "form_token": sign_form_token(article.pk),
        "usable_after_seconds": settings.PARLEY["COMMENT_MIN_SECONDS"],
        "expires_in_seconds": settings.PARLEY["COMMENT_FORM_MAX_AGE"],
    }


@router.post(
    "/articles/{slug}/comments",
    response={
        201: schemas.Posted,
        403: schemas.Problem,
        404: schemas.Problem,
        409: schemas.Problem,
        422: schemas.Problem,
        429: schemas.Problem,
    },
    summary="Post a comment or a reply",
)
def post_comment(
    request, slug: str, payload: schemas.CommentIn, response: HttpResponse
):
    """Screened as the article page's form is: held for an editor unless a rule says otherwise."""
    article = published_article(slug)
    if not article.comments_open:
        raise HttpError(403, "Comments are closed on this article.")
    form = CommentForm(
        {
            "name": payload.name,
            "email": payload.email,
            "website": payload.website,
            "comment": payload.comment,
            "parent": payload.parent or "",
            "notify_on_reply": payload.notify_on_reply,
            "follow_article": payload.follow_article,
            "form_token": payload.form_token,
        },
        article=article,
    )
    if not form.is_valid():
        raise FormRefused(form)
    new = form.build_comment(
        ip_address=client_ip(request), user_agent=user_agent(request)
    )
    posted = store_comment(
        new,
        user=AnonymousUser(),
        form_token=payload.form_token,
        follow=form.cleaned_data["follow_article"],
    )
    if not posted.stored:
        if posted.retry_after:
            response["Retry-After"] = str(posted.retry_after)
        return Status(posted.status_code, {"message": posted.message, "errors": []})
    status = "approved" if new.status == Comment.Status.APPROVED else "pending"
    return Status(
        201,
        {
            "id": new.pk,
            "status": status,
            "message": posted.message,
            "url": f"{settings.SITE_URL}{new.get_absolute_url()}",
        },
    )


@router.post(
    "/comments/{comment_id}/reports",
    response={
        201: schemas.Message,
        404: schemas.Problem,
        422: schemas.Problem,
        429: schemas.Problem,
    },
    summary="Report a published comment to the editors",
)
def report(request, comment_id: int, payload: schemas.ReportIn, response: HttpResponse):
    found = public_comment(comment_id)
    form = ReportForm({"reason": payload.reason})
    if not form.is_valid():
        raise FormRefused(form)
    ip = client_ip(request)
    if is_reporting_too_often(ip):
        response["Retry-After"] = str(settings.PARLEY["REPORT_WINDOW"])
        return Status(429, {"message": REPORT_FLOOD, "errors": []})
    created = record_report(found, form.cleaned_data["reason"], ip=ip)
    return Status(201, {"message": REPORT_THANKS if created else ALREADY_REPORTED})
