"""The comment form's rules and the context the article page renders it with: comments/forms.py."""

import pytest
from django.test import RequestFactory

from comments.forms import (
    CommentForm,
    ReportForm,
    comment_form_context,
    find_control_character,
)
from comments.models import Comment
from comments.nesting import attach_point
from tests.comments.posting_helpers import form_data
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def bound(article, **fields):
    form = CommentForm(form_data(article, **fields), article=article)
    form.is_valid()
    return form


def visitor_request(path="/", **params):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get(path, params)
    request.user = AnonymousUser()
    return request


def test_a_complete_form_is_valid(article):
    form = bound(article)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["notify_on_reply"] is True


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("name", 80, "Keep your name to 80 characters or fewer (it has 81)."),
        (
            "comment",
            5000,
            "Keep your comment to 5,000 characters or fewer (it has 5001).",
        ),
    ],
)
def test_text_longer_than_its_limit_is_refused(article, field, limit, message):
    form = bound(article, **{field: "x" * (limit + 1)})

    assert form.errors[field] == [message]
    assert bound(article, **{field: "x" * limit}).is_valid()


def test_email_longer_than_254_characters_is_refused(article):
    address = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example.org"
    assert len(address) > 254

    form = bound(article, email=address)

    assert not form.is_valid()
    assert "email" in form.errors


def test_website_longer_than_200_characters_is_refused(article):
    website = "https://example.com/" + "p" * 181

    form = bound(article, website=website)

    assert form.errors["website"] == [
        "Keep the web address to 200 characters or fewer (it has 201)."
    ]


def test_comment_length_counts_line_breaks_once(article):
    # Browsers send CRLF: 2,500 line breaks are 2,500 characters, not 5,000.
    text = "a\r\n" * 2500

    form = bound(article, comment=text.strip())

    assert form.is_valid(), form.errors
    assert "\r" not in form.cleaned_data["comment"]


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "ftp://files.example.com",
        "vbscript:msgbox(1)",
        "mailto:ada@example.org",
    ],
)
def test_website_must_be_a_web_address(article, website):
    form = bound(article, website=website)

    assert form.errors["website"] == [
        "Enter a web address starting with http:// or https://."
    ]


def test_website_without_a_scheme_is_taken_as_https(article):
    form = bound(article, website="ada.example")

    assert form.cleaned_data["website"] == "https://ada.example"


@pytest.mark.parametrize("field", ["name", "email"])
@pytest.mark.parametrize("line_break", ["\r\n", "\n", "\r"])
def test_line_breaks_in_name_or_email_are_refused(article, field, line_break):
    value = {"name": "Ada", "email": "ada@example.org"}[field]

    form = bound(article, **{field: value + line_break + "Bcc: everyone@example.org"})

    assert form.errors[field] == [
        "Use a single line: line breaks are not allowed here."
    ]


def test_a_trailing_line_break_in_the_email_is_refused_too(article):
    form = bound(article, email="ada@example.org\n")

    assert form.errors["email"] == [
        "Use a single line: line breaks are not allowed here."
    ]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
@pytest.mark.parametrize("field", ["name", "comment"])
def test_control_characters_are_refused(article, field, char):
    form = bound(article, **{field: f"Hello{char}there"})

    assert form.errors[field] == [
        f"Remove the invisible control character (U+{ord(char):04X})."
    ]


@pytest.mark.parametrize("field", ["name", "email", "comment"])
def test_a_lone_surrogate_is_refused_before_it_reaches_the_database(article, field):
    form = bound(article, **{field: "Hello\ud800there"})

    assert form.errors[field] == ["Remove the invisible control character (U+D800)."]


@pytest.mark.parametrize("char", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_text_direction_overrides_are_refused(article, char):
    form = bound(article, comment=f"access{char}level")

    assert form.errors["comment"][0].startswith(
        f"Remove the invisible text-direction character (U+{ord(char):04X})"
    )


def test_comment_may_have_tabs_and_right_to_left_text(article):
    form = bound(article, comment="col1\tcol2\n\u05e9\u05dc\u05d5\u05dd \u200f!")

    assert form.is_valid(), form.errors


def test_find_control_character_allows_line_breaks_only_in_comments():
    assert find_control_character("a\nb", single_line=False) is None
    assert find_control_character("a\nb", single_line=True) == "\n"
    assert find_control_character("plain", single_line=True) is None


def test_required_fields_have_their_own_messages(article):
    form = CommentForm({}, article=article)

    assert not form.is_valid()
    assert form.errors["name"] == ["Enter your name."]
    assert form.errors["email"] == ["Enter your email address."]
    assert form.errors["comment"] == ["Write your comment."]
    assert "website" not in form.errors


def test_whitespace_only_name_is_missing(article):
    assert bound(article, name="   ").errors["name"] == ["Enter your name."]


def test_error_summary_lists_every_error_with_its_field(article):
    form = bound(article, name="", email="nope")

    assert form.error_summary() == [
        ("id_name", "Enter your name."),
        ("id_email", "Enter an email address like name@example.com."),
    ]


@pytest.mark.parametrize("raw", ["abc", "-1", "0", "99999999999999999999999", "1.5"])
def test_a_garbled_parent_id_is_refused(article, raw):
    form = bound(article, parent=raw)

    assert not form.is_valid()
    assert form.refused_reply


def test_reply_to_an_approved_comment_is_accepted(article):
    parent = CommentFactory(article=article)

    form = bound(article, parent=str(parent.pk))

    assert form.is_valid(), form.errors
    assert form.reply_to == parent
    assert form.build_comment().parent == parent


def test_attach_point_keeps_replies_within_the_maximum_depth(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 4}
    chain = [CommentFactory(article=article)]
    for _ in range(4):
        chain.append(CommentFactory(article=article, parent=chain[-1]))

    assert attach_point(chain[0]) == chain[0]
    assert attach_point(chain[2]) == chain[2]
    # chain[3] is on the fourth level: its replies become its siblings.
    assert attach_point(chain[3]) == chain[2]
    assert attach_point(chain[4]) == chain[2]


def test_with_a_maximum_depth_of_one_replies_are_top_level(article, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 1}

    assert attach_point(CommentFactory(article=article)) is None


def test_duplicate_check_ignores_other_articles_and_other_addresses(article):
    CommentFactory(
        article=ArticleFactory(), author_email="ada@example.org", body="Same."
    )
    CommentFactory(article=article, author_email="bob@example.org", body="Same.")

    assert bound(article, comment="Same.").is_valid()


def test_duplicate_after_24_hours_is_allowed(article):
    from datetime import timedelta

    from django.utils import timezone

    CommentFactory(
        article=article,
        author_email="ada@example.org",
        body="Same.",
        created_at=timezone.now() - timedelta(hours=25),
    )

    assert bound(article, comment="Same.").is_valid()


def test_form_context_for_a_visitor(article):
    context = comment_form_context(visitor_request(), article)

    assert context["comments_open"] is True
    assert context["reply_to"] is None
    assert context["comment_form"] is None  # the view passes a bound form here
    assert context["form_initial"]["notify_on_reply"] is True
    assert context["form_initial"]["form_token"]


def test_form_context_finds_the_comment_named_by_replyto(article):
    parent = CommentFactory(article=article)

    context = comment_form_context(visitor_request(replyto=parent.pk), article)

    assert context["reply_to"] == parent
    assert context["form_initial"]["parent"] == parent.pk


@pytest.mark.parametrize("replyto", ["x", "-3", "10000000000000000000000", "1e3"])
def test_form_context_ignores_a_garbled_replyto(article, replyto):
    context = comment_form_context(visitor_request(replyto=replyto), article)

    assert context["reply_to"] is None


def test_form_context_ignores_replyto_for_a_held_comment(article):
    held = CommentFactory(article=article, status=Comment.Status.PENDING)

    assert (
        comment_form_context(visitor_request(replyto=held.pk), article)["reply_to"]
        is None
    )


def test_form_context_when_comments_are_closed(db):
    article = ArticleFactory(comments_enabled=False)

    context = comment_form_context(visitor_request(), article)

    assert context["comments_open"] is False
    assert context["comment_form"] is None
    assert context["form_initial"] is None


def test_form_context_fills_in_a_staff_account(article):
    request = visitor_request()
    request.user = StaffFactory(
        first_name="Eda", last_name="Editor", email="eda@x.test"
    )

    initial = comment_form_context(request, article)["form_initial"]

    assert initial["name"] == "Eda Editor"
    assert initial["email"] == "eda@x.test"


def test_report_reason_is_required_and_bounded():
    assert ReportForm({"reason": ""}).errors["reason"] == [
        "Tell the editors what is wrong with the comment."
    ]
    assert ReportForm({"reason": "x" * 501}).errors["reason"] == [
        "Keep the reason to 500 characters or fewer (it has 501)."
    ]
    assert ReportForm({"reason": "Spam\x00"}).errors["reason"]
