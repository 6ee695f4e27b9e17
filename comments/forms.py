"""The visitor's comment form, the report form, and what the article page needs to show them.

`comment_form_context()` is the interface with the article page
(articles.views.render_article): it returns the unbound form's values, the
comment being answered (?replyto=<id>) and whether comments are open;
`comment_form_fragment()` draws the form from them, and `add_form_tokens()`
adds the reader's own tokens.
"""

import json
import unicodedata

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import URLValidator
from django.db.models import Q
from django.forms.renderers import Jinja2
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from comments.addresses import InvalidAddress, normalize_email
from comments.cache import BLANK_FORM_SECONDS, Fragment, blank_form_key
from comments.models import (
    MAX_BODY_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_NAME_LENGTH,
    MAX_WEBSITE_LENGTH,
    Comment,
    CommentReport,
    visible_comment_ids,
)
from comments.moderation import is_duplicate, sign_form_token
from comments.moderation_log import person_name
from comments.nesting import reply_placement
from comments.posting_notes import posting_note
from comments.staff_comments import staff_note

REMEMBER_COOKIE = "parley_commenter"
REMEMBER_SALT = "comments.remember-commenter"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60
MAX_COMMENT_ID = 2**63 - 1

# Bidirectional embeddings, overrides and isolates can make text read
# differently from what it is ("Trojan Source"); marks (U+200E/F) are fine.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

REPLY_REFUSED = (
    "You can only reply to a published comment on this article, and the one you "
    "answered is not (it may have been removed). Your text is kept below: send it "
    "again to post it as a new comment."
)
HIDDEN_FIELD_ERROR = (
    "Part of the form you do not see was changed and could not be read "
    "(%(error)s). Your text is kept below: send it again, as a new comment if "
    "it was a reply."
)
DUPLICATE = (
    "You posted this same comment here in the last 24 hours, so it was not posted "
    "again."
)


def find_control_character(text, *, single_line):
    """Return the first character of `text` a comment may not contain, or None.

    Line breaks and tabs are allowed in the comment itself; a single-line field
    (name, email, website) refuses them too, so nothing typed can start a new
    email header.
    """
    for char in text:
        if char in BIDI_CONTROLS:
            return char
        category = unicodedata.category(char)
        if category == "Cc":
            if not single_line and char in "\n\r\t":
                continue
            return char
        # A lone surrogate is not text: no database can store it.
        if category == "Cs":
            return char
    return None


def refuse_control_characters(value, *, single_line):
    char = find_control_character(value, single_line=single_line)
    if char is None:
        return
    if char in "\r\n":
        raise forms.ValidationError(
            "Use a single line: line breaks are not allowed here.", code="newline"
        )
    if char in BIDI_CONTROLS:
        raise forms.ValidationError(
            "Remove the invisible text-direction character (U+%(code)04X): it can "
            "make text read differently from what it says.",
            code="bidi",
            params={"code": ord(char)},
        )
    raise forms.ValidationError(
        "Remove the invisible control character (U+%(code)04X).",
        code="control",
        params={"code": ord(char)},
    )


class SingleLineMixin:
    """Refuse line breaks and control characters before anything strips them."""

    def to_python(self, value):
        if isinstance(value, str):
            refuse_control_characters(value, single_line=True)
        return super().to_python(value)


class NameField(SingleLineMixin, forms.CharField):
    pass


class EmailAddressField(SingleLineMixin, forms.EmailField):
    """An address in its one spelling (comments.addresses), checked in that spelling."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return value
        try:
            return normalize_email(value, strict=True)
        except InvalidAddress as error:
            raise forms.ValidationError(str(error), code="invalid") from error


class WebsiteField(SingleLineMixin, forms.URLField):
    # Only web addresses: a javascript: or data: "website" is never a link.
    default_validators = [URLValidator(schemes=["http", "https"])]


class CommentTextField(forms.CharField):
    widget = forms.Textarea

    def to_python(self, value):
        if isinstance(value, str):
            # Browsers send CRLF; the 5,000-character limit counts what is stored.
            value = value.replace("\r\n", "\n").replace("\r", "\n")
            refuse_control_characters(value, single_line=False)
        return super().to_python(value)


def _too_long(what, limit):
    return f"Keep {what} to {limit:,} characters or fewer (it has %(show_value)d)."


class FormRenderer(Jinja2):
    """Django's Jinja2 form renderer, drawing each field with comments/form_field.html.

    The comment form is shown on every article page: Django's Jinja2 widget
    templates draw the same inputs as its own templates, in a third of the time.
    """

    field_template_name = "comments/form_field.html"


# One for the process: it keeps its compiled templates, as Django's own does.
FORM_RENDERER = FormRenderer()


class CommentForm(forms.Form):
    """A visitor's comment, or a reply to an approved comment of the same article."""

    default_renderer = FORM_RENDERER

    name = NameField(
        label="Name",
        max_length=MAX_NAME_LENGTH,
        error_messages={
            "required": "Enter your name.",
            "max_length": _too_long("your name", MAX_NAME_LENGTH),
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = EmailAddressField(
        label="Email",
        max_length=MAX_EMAIL_LENGTH,
        help_text="Never shown on the site.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
            "max_length": _too_long("your email address", MAX_EMAIL_LENGTH),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = WebsiteField(
        label="Website (optional)",
        required=False,
        max_length=MAX_WEBSITE_LENGTH,
        assume_scheme="https",
        error_messages={
            "invalid": "Enter a web address starting with http:// or https://.",
            "max_length": _too_long("the web address", MAX_WEBSITE_LENGTH),
        },
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    comment = CommentTextField(
        label="Comment",
        max_length=MAX_BODY_LENGTH,
        help_text=(
            "Plain text: a blank line starts a new paragraph and web addresses "
            "become links. You may use <em>, <strong>, <code>, <pre>, "
            "<blockquote> and lists."
        ),
        error_messages={
            "required": "Write your comment.",
            "max_length": _too_long("your comment", MAX_BODY_LENGTH),
        },
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    notify_on_reply = forms.BooleanField(
        label="Email me when someone replies to my comment",
        required=False,
        initial=True,
        help_text=(
            "The first time, we email you a link to confirm your address. Every "
            "reply email has a link to stop them."
        ),
    )
    follow_article = forms.BooleanField(
        label="Send me every new comment here",
        required=False,
        help_text="Follow the whole conversation; every email has a link to stop.",
    )
    remember = forms.BooleanField(
        label="Remember my name, email and website on this device",
        required=False,
        help_text="Kept in a cookie in this browser for a year, until you untick this.",
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    # Signed "when was the form shown": too fast or too old is a bot. Drawn
    # after the form element (form_tokens()), which it names, with the CSRF
    # token: what is inside the form is then the same for every visitor.
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)
    # The honeypot: hidden from people and screen readers, filled by bots.
    subject = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.reply_to = None  # the comment answered, as chosen by the person
        self.parent_comment = None  # where the reply is attached (depth limit)
        self.in_reply_to = None  # the comment answered, when not its parent

    def clean(self):
        cleaned = super().clean()
        raw_parent = cleaned.get("parent") or ""
        if raw_parent:
            self.reply_to = find_reply_target(self.article, raw_parent)
            if self.reply_to is None:
                raise forms.ValidationError(REPLY_REFUSED, code="parent")
            self.parent_comment, self.in_reply_to = reply_placement(self.reply_to)
        email, text = cleaned.get("email"), cleaned.get("comment")
        if email and text and is_duplicate(self.article, email, text):
            self.add_error("comment", forms.ValidationError(DUPLICATE, code="dup"))
        return cleaned

    @property
    def refused_reply(self):
        return any(error.code == "parent" for error in self.non_field_errors().data)

    def build_comment(self, *, ip_address=None, user_agent=""):
        """Return the unsaved Comment this valid form describes (its HTML rendered, for a preview)."""
        data = self.cleaned_data
        comment = Comment(
            article=self.article,
            parent=self.parent_comment,
            in_reply_to=self.in_reply_to,
            author_name=data["name"],
            author_email=data["email"],
            author_website=data["website"],
            body=data["comment"],
            notify_on_reply=data["notify_on_reply"],
            ip_address=ip_address,
            user_agent=user_agent,
        )
        comment.render_body()
        return comment

    def error_summary(self):
        """Return (field id, message) pairs for the error summary above the form."""
        items = [("id_comment", error) for error in self.non_field_errors()]
        shown = ("name", "email", "website", "comment", "notify_on_reply")
        for name in shown:
            items += [
                (self[name].auto_id, error) for error in self.errors.get(name, [])
            ]
        # The hidden fields (the comment answered, the form token, the
        # honeypot) have no place on the page to show an error beside.
        for name, errors in self.errors.items():
            if name not in shown and name != NON_FIELD_ERRORS:
                items += [
                    ("id_comment", HIDDEN_FIELD_ERROR % {"error": error})
                    for error in errors
                ]
        return items


def find_reply_target(article, raw_id):
    """Return the approved, visible comment of `article` with id `raw_id`, or None."""
    raw_id = str(raw_id).strip()
    if not raw_id.isascii() or not raw_id.isdigit() or len(raw_id) > 19:
        return None
    comment_id = int(raw_id)
    if not 0 < comment_id <= MAX_COMMENT_ID:
        return None
    comment = (
        Comment.objects.approved()
        .filter(article=article, pk=comment_id, is_removed=False)
        .first()
    )
    if comment is None or comment.root_id is None:
        return comment
    thread = (
        Comment.objects.approved()
        .filter(Q(pk=comment.root_id) | Q(root_id=comment.root_id))
        .order_by("path")
        .values_list("id", "parent_id")
    )
    if comment.pk not in visible_comment_ids(thread):
        return None  # hidden with its thread: a comment above it is not approved
    return comment


def remembered_commenter(request):
    """Return the name, email and website stored by "Remember me", or {}."""
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    if not raw:
        return {}
    try:
        values = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(values, dict):
        return {}
    return {
        key: values[key]
        for key in ("name", "email", "website")
        if isinstance(values.get(key), str)
    }


def remember_commenter(response, data, *, secure):
    values = {key: data[key] for key in ("name", "email", "website")}
    response.set_signed_cookie(
        REMEMBER_COOKIE,
        json.dumps(values),
        salt=REMEMBER_SALT,
        max_age=REMEMBER_MAX_AGE,
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


def forget_commenter(response):
    response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")


def initial_values(request, article, reply_to=None):
    initial = {
        "notify_on_reply": True,
        "form_token": sign_form_token(article.pk),
        "parent": reply_to.pk if reply_to else "",
    }
    user = request.user
    if user.is_authenticated and user.is_staff:
        initial["name"] = person_name(user)
        initial["email"] = user.email
    else:
        remembered = remembered_commenter(request)
        if remembered:
            initial.update(remembered, remember=True)
    return initial


def comment_form_context(request, article):
    """Return the context the conversation template needs to show the comment form.

    `form_initial` is what the unbound form starts with, filled from the staff
    account or from "Remember me" (None when comments are closed);
    `comment_form` is None, for a view to pass its bound form instead;
    `reply_to` is the approved comment named by ?replyto=<id> (None when the id
    is missing or not a visible comment of this article).
    """
    comments_open = article.comments_open
    reply_to = None
    initial = None
    if comments_open:
        if request.GET.get("replyto"):
            reply_to = find_reply_target(article, request.GET["replyto"])
        initial = initial_values(request, article, reply_to)
    return {
        "comment_form": None,
        "form_initial": initial,
        "reply_to": reply_to,
        "comments_open": comments_open,
        "privacy": privacy_periods(),
        "staff_note": staff_note(request.user, article),
        "posting_note": posting_note(request.user, article) if comments_open else "",
    }


def comment_form_fragment(request, context):
    """Return the fragment that draws the comment form, or the notice that comments are closed.

    `context` is comment_form_context()'s, with what a view shows beside it:
    a bound form with its errors, a preview (comment_preview_html). The form
    every anonymous reader gets is the same but for its two tokens (added by
    add_form_tokens), so it is kept in the cache; the unbound form is only
    built when it is drawn.
    """
    form = context["comment_form"]
    initial = context["form_initial"]

    def render():
        shown = form
        if form is None and initial is not None:
            shown = CommentForm(article=context["article"], initial=initial)
        # None when comments are closed: the template shows the notice.
        return render_to_string(
            "comments/form.html", {**context, "comment_form": shown}, request
        )

    if is_blank(request, context):
        return Fragment(blank_form_key(context["article"]), render, BLANK_FORM_SECONDS)
    return Fragment(None, render)


def add_form_tokens(request, context, html):
    """Return the form's HTML (from comment_form_fragment) with the reader's own tokens after it."""
    form = context["comment_form"]
    if form is not None:
        token = form["form_token"].value()
    elif context["form_initial"] is not None:
        token = context["form_initial"]["form_token"]
    else:
        # Comments are closed: the notice, and no form to hold tokens.
        return mark_safe(html)  # noqa: S308 - rendered by Jinja2
    # Rendered by Jinja2, which escapes every value; the tokens by format_html.
    return mark_safe(html + form_tokens(request, token))  # noqa: S308


def is_blank(request, context):
    """Return True when the form shown is the one every anonymous reader gets."""
    initial = context["form_initial"]
    return (
        context["comment_form"] is None
        and initial is not None
        and not initial.get("remember")
        and not request.user.is_authenticated
        and context["reply_to"] is None
    )


def form_tokens(request, form_token):
    """Return the reader's own hidden fields, which name the form they belong to."""
    # Written out, not drawn by the field's widget: this is the one part of
    # the form an anonymous reader's page renders for them alone.
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}" form="comment-form">'
        '<input type="hidden" name="form_token" value="{}" form="comment-form"'
        ' id="id_form_token">',
        get_token(request),
        form_token,
    )


def privacy_periods():
    return {
        "ip_days": settings.PARLEY["COMMENT_IP_RETENTION_DAYS"],
        "spam_days": settings.PARLEY["SPAM_RETENTION_DAYS"],
    }


class ReportForm(forms.ModelForm):
    default_renderer = FORM_RENDERER

    class Meta:
        model = CommentReport
        fields = ["reason"]
        labels = {"reason": "What is wrong with this comment?"}
        help_texts = {
            "reason": "For example: spam, a personal attack, someone's private details."
        }
        error_messages = {
            "reason": {
                "required": "Tell the editors what is wrong with the comment.",
                "max_length": "Keep the reason to 500 characters or fewer "
                "(it has %(show_value)d).",
            }
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def clean_reason(self):
        reason = self.cleaned_data["reason"]
        refuse_control_characters(reason, single_line=False)
        return reason
