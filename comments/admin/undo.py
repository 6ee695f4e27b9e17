"""The decisions an editor may take back from the queue, newest first, kept in their session.

A decision is remembered with the status and held reason it replaced; taking
it back is another decision through `Comment.moderate()`, to that status and
reason, so it is logged, recounted and emailed like any other. A "your
comment is live" or reply email that has not left when an approval is taken
back is withdrawn, and sent only if the comment is approved again.
"""

import time
from dataclasses import asdict, dataclass

from django.db import transaction

from comments.models import Comment, Notification

SESSION_KEY = "parley_queue_decisions"
# How long a decision can be taken back, and how many are kept.
UNDO_SECONDS = 15 * 60
KEPT = 50


@dataclass(frozen=True)
class Decision:
    comment: int
    previous_status: str
    previous_reason: str
    status: str
    author_name: str
    at: float

    def describe(self):
        label = Comment.Status(self.status).label.lower()
        return f"{self.author_name}’s comment is {label}."


def _recent(request):
    oldest = time.time() - UNDO_SECONDS
    kept = []
    for entry in request.session.get(SESSION_KEY, []):
        try:
            decision = Decision(**entry)
        except TypeError:
            continue  # written by an older release
        if decision.at >= oldest:
            kept.append(decision)
    return kept


def _store(request, decisions):
    request.session[SESSION_KEY] = [asdict(decision) for decision in decisions[:KEPT]]


def remember(request, comment, previous_status, previous_reason):
    """Remember that `comment` (already decided) was `previous_status` before."""
    decision = Decision(
        comment=comment.pk,
        previous_status=previous_status,
        previous_reason=previous_reason,
        status=comment.status,
        author_name=comment.display_name,
        at=time.time(),
    )
    _store(request, [decision, *_recent(request)])
    return decision


def latest(request):
    """Return the newest decision that can still be taken back, or None."""
    decisions = _recent(request)
    return decisions[0] if decisions else None


class NothingToUndo(Exception):
    pass


def take_back_latest(request, comments):
    """Return the newest decision to its previous status, through the one door.

    `comments` is the queryset the editor may decide on. Return the comment;
    raise NothingToUndo (with a message for the editor) when there is none,
    or when someone decided on the comment since.
    """
    decisions = _recent(request)
    if not decisions:
        raise NothingToUndo("There is no recent decision to undo.")
    decision, rest = decisions[0], decisions[1:]
    # Whatever happens next, this decision is no longer the one to undo.
    _store(request, rest)
    comment = comments.select_related("article").filter(pk=decision.comment).first()
    if comment is None:
        raise NothingToUndo("That comment is no longer there; nothing was undone.")
    if comment.status != decision.status:
        raise NothingToUndo(
            f"{comment.display_name}’s comment was decided again since "
            f"(it is {comment.get_status_display().lower()}); nothing was undone."
        )
    with transaction.atomic():
        comment.moderate(
            decision.previous_status,
            by=request.user,
            reason=decision.previous_reason,
        )
        if decision.status == Comment.Status.APPROVED:
            withdraw_unsent_emails(comment)
    return comment


def withdraw_unsent_emails(comment):
    """Withdraw the emails an approval called for that no worker has taken yet.

    The worker would skip them anyway (the comment is no longer public), but a
    skipped row stands for its (kind, comment, recipient) for good: approving
    the comment again later must find none, and schedule them afresh. One a
    worker has already claimed is left to it: that email has left.
    """
    Notification.objects.filter(
        comment=comment,
        kind__in=[Notification.Kind.PUBLISHED, Notification.Kind.REPLY],
        status=Notification.Status.QUEUED,
    ).delete()
