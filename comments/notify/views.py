"""Pages behind the links in Parley's emails.

Opening a link (GET) never changes anything: mail scanners and link previews
fetch every URL in a message. Each page asks for a button press (POST) before
confirming an address or deciding a comment. Unsubscribing also answers the
RFC 8058 one-click POST that mail providers send without cookies, so that view
is exempt from CSRF: the signed token is the proof.
"""

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from comments import roles
from comments.addresses import normalize_email
from comments.models import Comment, Subscriber
from comments.notify import links
from comments.writer_confirmation import (
    is_awaiting_writer,
    publish_confirmed_comment,
)

DECISION_LABELS = {"approve": "Approve", "spam": "Mark as spam"}
DECISION_QUESTIONS = {
    "approve": "Approve this comment?",
    "spam": "Mark this comment as spam?",
}


def invalid_link(request, error, *, status=400):
    return render(
        request,
        "comments/email_link_invalid.html",
        {"message": str(error)},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        email = normalize_email(links.read_confirm_token(token))
    except links.InvalidLink as error:
        return invalid_link(request, error)
    done = False
    if request.method == "POST":
        subscriber, _created = Subscriber.objects.get_or_create(email=email)
        subscriber.confirm()
        done = True
    return render(
        request, "comments/email_confirm.html", {"email": email, "done": done}
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        email = normalize_email(links.read_unsubscribe_token(token))
    except links.InvalidLink as error:
        return invalid_link(request, error)
    subscriber = Subscriber.objects.filter(email=email).first()
    if request.method == "POST":
        subscriber = subscriber or Subscriber.objects.create(email=email)
        if request.POST.get("action") == "resubscribe":
            Subscriber.objects.filter(pk=subscriber.pk).update(unsubscribed_at=None)
        else:
            # The form's button and a provider's "List-Unsubscribe=One-Click"
            # POST land here alike; a second press keeps the first date.
            subscriber.unsubscribe()
        subscriber = Subscriber.objects.get(pk=subscriber.pk)
    return render(
        request,
        "comments/email_unsubscribe.html",
        {
            "email": email,
            "unsubscribed": bool(subscriber and subscriber.unsubscribed_at),
            "confirmed": bool(subscriber and subscriber.confirmed_at),
            "answered": request.method == "POST",
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def moderate(request, comment_id, decision, token):
    if decision not in links.DECISIONS:
        return invalid_link(request, "This link is not valid.", status=404)
    comment = get_object_or_404(
        Comment.objects.select_related("article", "moderated_by"), pk=comment_id
    )
    try:
        user_id = links.read_moderate_token(token, comment, decision)
    except links.AlreadyDecided:
        return _already_decided(request, comment)
    except links.InvalidLink as error:
        return invalid_link(request, error)
    user = _staff_user(user_id)
    if user is None or not roles.can_moderate(user, comment):
        return invalid_link(
            request,
            "This link was sent to an account that may no longer moderate this comment.",
            status=403,
        )
    if comment.status != Comment.Status.PENDING:
        return _already_decided(request, comment)
    done = False
    if request.method == "POST":
        if decision == "approve":
            changed = comment.approve(by=user)
        else:
            changed = comment.mark_spam(
                by=user, reason="Marked as spam from the moderation email"
            )
        if not changed:
            return _already_decided(request, comment)
        done = True
    return render(
        request,
        "comments/email_moderate.html",
        {
            "comment": comment,
            "decision": decision,
            "decision_label": DECISION_LABELS[decision],
            "decision_question": DECISION_QUESTIONS[decision],
            "moderator": user,
            "done": done,
        },
    )


def _already_decided(request, comment):
    comment = Comment.objects.get(pk=comment.pk)
    return render(
        request,
        "comments/email_moderate.html",
        {"comment": comment, "already_decided": True},
        status=409,
    )


def _staff_user(user_id):
    """Return the active staff member with this id, or None."""
    return (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, is_staff=True)
        .first()
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm_comment(request, comment_id, token):
    """The writer of a trusted address's comment confirms it, and it is published."""
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=comment_id
    )
    try:
        links.read_writer_confirm_token(token, comment)
    except links.AlreadyDecided:
        return _no_longer_waiting(request, comment)
    except links.InvalidLink as error:
        return invalid_link(request, error)
    if not is_awaiting_writer(comment):
        return _no_longer_waiting(request, comment)
    done = False
    if request.method == "POST":
        if not publish_confirmed_comment(comment):
            return _no_longer_waiting(request, comment)
        done = True
    return render(
        request,
        "comments/email_confirm_comment.html",
        {"comment": comment, "done": done},
    )


def _no_longer_waiting(request, comment):
    comment = Comment.objects.select_related("article").get(pk=comment.pk)
    return render(
        request,
        "comments/email_confirm_comment.html",
        {"comment": comment, "no_longer_waiting": True},
        status=409,
    )
