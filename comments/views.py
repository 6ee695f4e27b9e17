"""The visitor's side of the conversation: posting (or previewing) a comment, reporting one."""

import unicodedata

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from articles.views import article_or_404, render_article, visible_articles
from comments.clients import client_ip, is_flooding, is_reporting_too_often
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
from comments.own_comments import remember_own_comment
from comments.reports import record_report
from comments.roles import staff_badge
from comments.threads import render_preview

USER_AGENT_MAX_LENGTH = Comment._meta.get_field("user_agent").max_length

THANKS_HELD = (
    "Thank you for your comment. Comments are moderated, so yours may not appear "
    "until an editor has read it."
)
THANKS_PUBLISHED = "Your comment is published."
FLOOD = (
    "You have sent several comments in the last few minutes. Please wait a while "
    "before sending this one; your text is kept below."
)
REPORT_FLOOD = (
    "You have sent several reports in a short time. Please wait a while before "
    "sending another."
)


@require_POST
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
    if user.is_staff:
        comment.user = user
        comment.badge = staff_badge(user, article)
    if "preview" in request.POST:
        return _show_form(request, article, form, preview=comment)

    if user.is_staff:
        comment.status = Comment.Status.APPROVED
        comment.submit(moderator=user)
        thanks = THANKS_PUBLISHED
    else:
        if is_flooding(comment.ip_address):
            form.add_error(None, FLOOD)
            return _show_form(request, article, form, status=429)
        decision = screen_comment(
            comment,
            honeypot=form.cleaned_data["subject"],
            form_token=form.cleaned_data["form_token"],
        )
        comment.status, comment.status_reason = decision.status, decision.reason
        comment.submit()
        # A bot caught by a rule is thanked like everyone else.
        published = comment.status == Comment.Status.APPROVED
        thanks = THANKS_PUBLISHED if published else THANKS_HELD

    messages.success(request, thanks)
    response = redirect(f"{article.get_absolute_url()}#{comment.anchor}")
    if comment.status == Comment.Status.PENDING:
        # Published or stored as spam, it has nothing to wait for.
        remember_own_comment(request, response, comment.pk)
    if not user.is_staff:
        if form.cleaned_data["remember"]:
            remember_commenter(
                response, form.cleaned_data, secure=settings.SESSION_COOKIE_SECURE
            )
        else:
            forget_commenter(response)
    return response


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
