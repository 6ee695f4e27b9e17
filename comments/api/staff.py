"""The editors' API: the moderation queue and decisions, with a staff member's token and that member's role."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from comments import roles
from comments.api import schemas
from comments.api.auth import StaffToken
from comments.models import Comment

router = Router(tags=["Moderation"], auth=StaffToken())

DECISIONS = {
    "approve": Comment.Status.APPROVED,
    "reject": Comment.Status.REJECTED,
    "spam": Comment.Status.SPAM,
    "pending": Comment.Status.PENDING,
}
QUEUE_PAGE = 50


class QueueQuery(Schema):
    article: str = ""
    page: int = 1


def queued(comment):
    return {
        "id": comment.pk,
        "article": comment.article.slug,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "author_website": comment.author_website,
        "body": comment.body,
        "status": comment.status,
        "status_reason": comment.status_reason,
        "created_at": comment.created_at,
        "admin_url": f"{settings.SITE_URL}{comment.get_admin_url()}",
    }


@router.get(
    "/queue",
    response={200: list[schemas.QueuedComment], 401: schemas.Problem},
    summary="Comments waiting for a decision",
)
def queue(request, query: Query[QueueQuery]):
    """Oldest first, 50 a page; an author's token lists only comments on their own articles."""
    pending = roles.moderatable_comments(
        request.auth, Comment.objects.pending().select_related("article")
    ).order_by("created_at", "pk")
    if query.article:
        pending = pending.filter(article__slug=query.article)
    start = (max(query.page, 1) - 1) * QUEUE_PAGE
    return [queued(comment) for comment in pending[start : start + QUEUE_PAGE]]


@router.post(
    "/comments/{comment_id}/decision",
    response={200: schemas.Decided, 401: schemas.Problem, 404: schemas.Problem},
    summary="Approve, reject, mark as spam or hold a comment",
)
def decide(request, comment_id: int, payload: schemas.Decision):
    """The same decision as the admin's, recorded in the moderation log under the token's user."""
    comment = get_object_or_404(
        roles.moderatable_comments(
            request.auth, Comment.objects.select_related("article")
        ),
        pk=comment_id,
    )
    changed = comment.moderate(
        DECISIONS[payload.decision], by=request.auth, reason=payload.reason
    )
    return {"id": comment.pk, "status": comment.status, "changed": changed}
