"""The reader's side of following a conversation: the form under it, and the link that stops it."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles.models import Article
from articles.views import article_or_404
from comments import following
from comments.clients import client_ip, count_attempt, counted_network
from comments.forms import FORM_RENDERER, CommentForm
from comments.models import Follower
from comments.notify import links
from comments.notify.views import invalid_link

TOO_OFTEN = (
    "You have asked to follow several conversations in a short time. Please "
    "wait a while and try again."
)
# One answer whatever the address: the page must not tell a stranger
# whether someone's address is already confirmed.
FOLLOW_ASKED = (
    "Thank you. If we have not emailed this address before, we have sent it a "
    "link to confirm it first; once it is confirmed, new comments will reach "
    "it. Every email has a link to stop."
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
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid() and is_following_too_often(request):
        # Each request may email a confirmation link to a stranger's address.
        form.add_error(None, TOO_OFTEN)
        status = 429
    if not form.is_bound or not form.is_valid():
        return render(
            request,
            "comments/follow.html",
            {"article": article, "follow_form": form},
            status=status,
        )
    following.follow(
        article, form.cleaned_data["email"], form.cleaned_data["frequency"]
    )
    messages.success(request, FOLLOW_ASKED)
    return redirect(f"{article.get_absolute_url()}#follow")


def is_following_too_often(request):
    """Count a follow request from the client's network; True when over the comment flood limit."""
    return count_attempt(
        "follow",
        counted_network(client_ip(request)),
        limit=settings.PARLEY["COMMENT_FLOOD_LIMIT"],
        window=settings.PARLEY["COMMENT_FLOOD_WINDOW"],
    )


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
