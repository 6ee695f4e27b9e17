"""The reader's side of following a conversation: the form under it, and the link that stops it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from articles.views import article_or_404
from comments import following
from comments.forms import FORM_RENDERER, CommentForm
from comments.models import Follower
from comments.notify import links
from comments.notify.views import invalid_link

FOLLOWING = (
    "You are following this conversation. Every email has a link to stop."
)
CONFIRM_FIRST = (
    "Almost done: we have emailed you a link to confirm your address. Once you "
    "confirm it, you will receive the new comments."
)


class FollowForm(forms.Form):
    default_renderer = FORM_RENDERER

    email = CommentForm.base_fields["email"]
    frequency = forms.ChoiceField(
        label="How often",
        choices=Follower.Frequency.choices,
        initial=Follower.Frequency.EACH,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how often to be emailed."},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def follow(request, slug):
    """Ask for an address, and follow the article's conversation with it (double opt-in)."""
    article = article_or_404(request, slug)
    form = FollowForm(request.POST if request.method == "POST" else None)
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "comments/follow.html",
            {"article": article, "follow_form": form},
            status=400 if form.is_bound else 200,
        )
    outcome = following.follow(
        article, form.cleaned_data["email"], form.cleaned_data["frequency"]
    )
    messages.success(
        request, FOLLOWING if outcome == following.FOLLOWING else CONFIRM_FIRST
    )
    return redirect(f"{article.get_absolute_url()}#follow")


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unfollow(request, token):
    """Stop following, from the link in a follower's email or a provider's one-click POST."""
    try:
        article_id, email = links.read_unfollow_token(token)
    except links.InvalidLink as error:
        return invalid_link(request, error)
    article = Article.objects.filter(pk=article_id).first()
    if request.method == "POST":
        following.unfollow(article_id, email)
    return render(
        request,
        "comments/unfollow.html",
        {"article": article, "email": email, "done": request.method == "POST"},
    )
