"""The visitor's side of the conversation: posting (or previewing) a comment, reporting one."""

import unicodedata

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from articles.views import article_or_404, render_article, visible_articles
from comments.clients import (
    client_ip,
    give_back_comment_attempt,
    is_flooding,
    is_reporting_too_often,
)
from comments.editing import remember_editable
from comments.following import follow_when_commenting
from comments.form_tokens import ALREADY_SENT, submit_once
from comments.forms import (
    CommentForm,
    ReportForm,
    find_reply_target,
    forget_commenter,
    privacy_periods,
    remember_commenter,
)
from comments.models import Comment
from comments.moderation import refresh_form_token, screen_comment
from comments.outages import keep_text_when_database_fails
from comments.own_comments import remember_own_comment
from comments.reports import record_report
from comments.staff_comments import publishes_at_once, sign_as_staff
from comments.threads import comment_page_number, render_preview
from comments.writer_confirmation import (
    confirmation_email_queued,
    is_awaiting_writer,
)

USER_AGENT_MAX_LENGTH = Comment._meta.get_field("user_agent").max_length

THANKS_HELD = (
    "Thank you for your comment. Comments are moderated, so yours may not appear "
    "until an editor has read it."
)
THANKS_PUBLISHED = "Your comment is published."
THANKS_CONFIRM = (
    "Thank you for your comment. We have emailed a link to the address you gave: "
    "your comment is published once you click it. Until then it waits, and an "
    "editor may read it first."
)
FLOOD = (
    "You have sent several comments in the last few minutes. Please wait a while "
    "before sending this one; your text is kept below."
)
REPORT_FLOOD = (
    "You have sent several reports in a short time. Please wait a while before "
    "sending another."
)


@require_POST
@keep_text_when_database_fails
def post_comment(request, slug):
    """Store a comment from the article page, or show the form again with errors or a preview."""
    # With its author: the held-comment email and a page shown again need them.
    article = article_or_404(request, slug)
    if not article.comments_open:
        # The page shows the closed notice in place of the form.
        return render_article(request, article, {"comments_open": False}, status=403)

    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return _show_form(request, article, form)
    comment = form.build_comment(
        ip_address=client_ip(request), user_agent=_user_agent(request)
    )
    user = request.user
    # Staff publish at once, under their own name, only where they moderate.
    publisher = publishes_at_once(user, article)
    if publisher:
        sign_as_staff(comment, user)
    if "preview" in request.POST:
        return _show_form(request, article, form, preview=comment)

    if publisher:
        comment.status = Comment.Status.APPROVED
        if not submit_once(comment, form.cleaned_data["form_token"], moderator=user):
            return _refuse_sent_form(request, article, form)
        thanks = THANKS_PUBLISHED
    else:
        if is_flooding(comment.ip_address):
            form.add_error(None, FLOOD)
            response = _show_form(request, article, form, status=429)
            response["Retry-After"] = str(settings.PARLEY["COMMENT_FLOOD_WINDOW"])
            return response
        try:
            decision = screen_comment(
                comment,
                honeypot=form.cleaned_data["subject"],
                form_token=form.cleaned_data["form_token"],
                writer=user,
            )
            comment.status, comment.status_reason = decision.status, decision.reason
            stored = submit_once(comment, form.cleaned_data["form_token"])
        except DatabaseError:
            # Nothing was stored, so nothing counts against the visitor.
            give_back_comment_attempt(comment.ip_address)
            raise
        if not stored:
            return _refuse_sent_form(request, article, form)
        thanks = _thanks_for(comment)

    messages.success(request, thanks)
    response = redirect(_where_to_see(article, comment))
    if comment.status == Comment.Status.PENDING:
        # Published or stored as spam, it has nothing to wait for.
        remember_own_comment(request, response, comment.pk)
    if comment.status in (Comment.Status.PENDING, Comment.Status.APPROVED):
        remember_editable(request, response, comment)
        if form.cleaned_data["follow_article"]:
            follow_when_commenting(comment)
    if not user.is_staff:
        if form.cleaned_data["remember"]:
            remember_commenter(
                response, form.cleaned_data, secure=settings.SESSION_COOKIE_SECURE
            )
        else:
            forget_commenter(response)
    return response


def _where_to_see(article, comment):
    """Return the address of the comment on its article: the page of threads that holds it, if published."""
    page = 1
    if comment.status == Comment.Status.APPROVED:
        page = comment_page_number(article, comment.pk)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{article.get_absolute_url()}{query}#{comment.anchor}"


def _thanks_for(comment):
    """Return what the writer of a screened comment is told: only what is true of it."""
    if comment.status == Comment.Status.APPROVED:
        return THANKS_PUBLISHED
    if is_awaiting_writer(comment) and confirmation_email_queued(comment):
        return THANKS_CONFIRM
    # A bot caught by a rule is thanked like everyone else.
    return THANKS_HELD


def _refuse_sent_form(request, article, form):
    form.add_error(None, ALREADY_SENT)
    return _show_form(request, article, form, status=409)


def _show_form(request, article, form, *, preview=None, status=200):
    form.data = form.data.copy()
    form.data["form_token"] = refresh_form_token(
        form.data.get("form_token"), article.pk
    )
    context = {
        "comment_form": form,
        "reply_to": None if form.refused_reply else form.reply_to,
        "comments_open": True,
        "comment_preview_html": render_preview(preview) if preview else None,
    }
    return render_article(request, article, context, status=status)


def _user_agent(request):
    agent = request.META.get("HTTP_USER_AGENT", "")
    agent = "".join(char for char in agent if unicodedata.category(char) != "Cc")
    return agent[:USER_AGENT_MAX_LENGTH]


def report_comment(request, comment_id):
    """Ask why a published comment breaks the rules, and record the report."""
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article"), pk=comment_id
    )
    article = get_object_or_404(visible_articles(request.user), pk=comment.article_id)
    if find_reply_target(article, comment.pk) is None:
        # Hidden with its thread (or removed): not something the public can see.
        return render(request, "404.html", status=404)

    status = 200
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        if is_reporting_too_often(ip):
            form.add_error(None, REPORT_FLOOD)
            status = 429
        else:
            created = record_report(comment, form.cleaned_data["reason"], ip=ip)
            messages.success(
                request,
                "Thank you. An editor will look at this comment."
                if created
                else "You have already reported this comment; an editor will look at it.",
            )
            return redirect(comment.get_absolute_url())
    context = {
        "comment": comment,
        "article": article,
        "form": form,
        "privacy": privacy_periods(),
    }
    return render(request, "comments/report.html", context, status=status)
