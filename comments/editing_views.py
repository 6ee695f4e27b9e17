"""The writer's page for changing their comment: edit its text, or delete it (comments.editing)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comments import editing
from comments.forms import FORM_RENDERER, CommentForm
from comments.models import Comment
from comments.moderation import refresh_form_token, sign_form_token

SAVED = "Your changes are saved."
SAVED_HELD = (
    "Your changes are saved. An editor will read the comment again before it "
    "appears on the page."
)
UNCHANGED = "Nothing was changed."
DELETED = "Your comment is deleted."


class EditCommentForm(forms.Form):
    """The text of a comment being edited, with the fields screening reads."""

    default_renderer = FORM_RENDERER

    comment = CommentForm.base_fields["comment"]
    # Signed "when was the form shown", and the honeypot: what screening reads.
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    subject = CommentForm.base_fields["subject"]


def _writers_comment(request, comment_id):
    """Return the comment and why this request may not change it ("" when it may)."""
    comment = get_object_or_404(
        Comment.objects.select_related("article"), pk=comment_id
    )
    return comment, editing.refusal(request, comment)


def _refused(request, comment, reason):
    return render(
        request,
        "comments/edit_refused.html",
        {"comment": comment, "article": comment.article, "message": reason},
        status=403,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def edit_comment(request, comment_id):
    """Show the writer their comment's text to change, and save the change."""
    comment, reason = _writers_comment(request, comment_id)
    if reason:
        return _refused(request, comment, reason)
    if request.method == "POST":
        form = EditCommentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            outcome = editing.edit_comment(
                comment,
                data["comment"],
                by=editing.writers_account(request, comment),
                honeypot=data["subject"],
                form_token=data["form_token"],
            )
            if not outcome.changed:
                message = UNCHANGED
            else:
                message = SAVED_HELD if outcome.held else SAVED
            messages.success(request, message)
            return redirect(comment.get_absolute_url())
        form.data = form.data.copy()
        form.data["form_token"] = refresh_form_token(
            form.data.get("form_token"), comment.article_id
        )
        status = 400
    else:
        form = EditCommentForm(
            initial={
                "comment": comment.body,
                "form_token": sign_form_token(comment.article_id),
            }
        )
        status = 200
    context = {
        "comment": comment,
        "article": comment.article,
        "form": form,
        "editable_until": comment.created_at + editing.edit_window(),
    }
    return render(request, "comments/edit.html", context, status=status)


@require_POST
def delete_comment(request, comment_id):
    """Delete the writer's comment (a placeholder stays when it has replies)."""
    comment, reason = _writers_comment(request, comment_id)
    if reason:
        return _refused(request, comment, reason)
    editing.delete_comment(comment, by=editing.writers_account(request, comment))
    messages.success(request, DELETED)
    response = redirect(f"{comment.article.get_absolute_url()}#comments")
    editable = editing.remembered_editable(request)
    if editable.pop(comment.pk, None) is not None:
        editing.keep_editable(response, editable)
    return response
