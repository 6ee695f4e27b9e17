"""The visitor's side of the conversation: posting (or previewing) a comment, reporting one."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from articles.views import article_or_404, render_article, visible_articles
from comments.clients import (
    client_ip,
    is_reporting_too_often,
    user_agent,
)
from comments.editing import remember_editable
from comments.forms import (
    CommentForm,
    ReportForm,
    find_reply_target,
    forget_commenter,
    privacy_periods,
    remember_commenter,
)
from comments.models import Comment
from comments.moderation import refresh_form_token
from comments.outages import keep_text_when_database_fails
from comments.own_comments import remember_own_comment
from comments.posting import store_comment
from comments.reports import (
    ALREADY_REPORTED,
    REPORT_FLOOD,
    REPORT_THANKS,
    record_report,
)
from comments.staff_comments import publishes_at_once, sign_as_staff
from comments.threads import comment_page_number, render_preview


@require_POST
@keep_text_when_database_fails
def post_comment(request, slug):
    """Store a comment from the article page, or show the form again with errors or a preview."""
    # Most posts are stored and redirected: the byline's author is loaded
    # only when the page is shown again, with errors or a preview.
    article = article_or_404(request, slug, with_author=False)
    if not article.comments_open:
        # The page shows the closed notice in place of the form.
        return render_article(request, article, {"comments_open": False}, status=403)

    form = CommentForm(request.POST, article=article)
    if not form.is_valid():
        return _show_form(request, article, form)
    comment = form.build_comment(
        ip_address=client_ip(request), user_agent=user_agent(request)
    )
    user = request.user
    # Staff publish at once, under their own name, only where they moderate.
    if publishes_at_once(user, article):
        sign_as_staff(comment, user)
    if "preview" in request.POST:
        return _show_form(request, article, form, preview=comment)

    posted = store_comment(
        comment,
        user=user,
        form_token=form.cleaned_data["form_token"],
        honeypot=form.cleaned_data["subject"],
        follow=form.cleaned_data["follow_article"],
    )
    if not posted.stored:
        form.add_error(None, posted.message)
        response = _show_form(request, article, form, status=posted.status_code)
        if posted.retry_after:
            response["Retry-After"] = str(posted.retry_after)
        return response

    messages.success(request, posted.message)
    response = redirect(_where_to_see(article, comment))
    if comment.status == Comment.Status.PENDING:
        # Published or stored as spam, it has nothing to wait for.
        remember_own_comment(request, response, comment.pk)
    if comment.status in (Comment.Status.PENDING, Comment.Status.APPROVED):
        remember_editable(request, response, comment)
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
            messages.success(request, REPORT_THANKS if created else ALREADY_REPORTED)
            return redirect(comment.get_absolute_url())
    context = {
        "comment": comment,
        "article": article,
        "form": form,
        "privacy": privacy_periods(),
    }
    response = render(request, "comments/report.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(settings.PARLEY["REPORT_WINDOW"])
    return response
