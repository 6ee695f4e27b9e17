"""What every email looks like: parts, headers, links, and what user text cannot do."""

import re
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group

from comments.models import Comment
from comments.notify import emails
from tests.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db

SITE = "https://parley.example.com"


@pytest.fixture(autouse=True)
def public_site_url(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def dana(db):
    dana = StaffFactory(email="dana@example.com", first_name="Dana", last_name="W")
    dana.groups.add(Group.objects.get(name="Authors"))
    return dana


@pytest.fixture
def conversation(dana):
    article = ArticleFactory(author=dana, title="Social Media Experts")
    gunther = CommentFactory(
        article=article,
        author_name="Gunther",
        author_email="gunther@example.org",
        body="The social media expert is mostly a myth.",
    )
    reply = CommentFactory(
        article=article,
        parent=gunther,
        author_name="Dana Whitfield",
        author_email="dana@example.com",
        user=dana,
        badge=Comment.Badge.AUTHOR,
        body="I don't think we disagree as much as it seems.",
    )
    return gunther, reply


def every_kind_of_email(conversation, dana):
    gunther, reply = conversation
    held = CommentFactory(
        article=gunther.article, status=Comment.Status.PENDING, published_at=None
    )
    emails.send_reply_email(reply, "gunther@example.org")
    emails.send_held_comment_email(held, "dana@example.com", dana)
    emails.send_comment_live_email(gunther, "gunther@example.org")
    emails.send_confirmation_email("gunther@example.org", gunther)


def raw(message):
    """Return the message as a mail server receives it, parsed back."""
    return message_from_bytes(message.message().as_bytes(), policy=policy.default)


# Everything our email templates and the comment sanitiser produce; anything
# else in an HTML part came from user text.
EMAIL_TAGS = {
    "html", "head", "meta", "title", "body", "div", "p", "strong", "em", "span",
    "blockquote", "a", "br", "hr", "code", "pre", "ul", "ol", "li",
}  # fmt: skip
EMAIL_ATTRIBUTES = {"href", "rel", "style", "charset", "name", "content", "lang"}


class ActiveContentFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in EMAIL_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name not in EMAIL_ATTRIBUTES:
                self.problems.append(f"<{tag} {name}>")
            elif name == "href" and not value.startswith(
                ("https://", "http://", "mailto:")
            ):
                self.problems.append(f"href={value}")
            elif name == "style" and ("url(" in value or "expression" in value):
                self.problems.append(f"style={value}")


def active_content(html):
    """Return what in `html` could run, fetch a remote resource or post a form."""
    finder = ActiveContentFinder()
    finder.feed(html)
    return finder.problems


def html_part(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def test_reply_email_quotes_the_reply_and_names_the_replier_with_badge(
    mailoutbox, conversation
):
    gunther, reply = conversation

    emails.send_reply_email(reply, "gunther@example.org")

    [message] = mailoutbox
    assert message.to == ["gunther@example.org"]
    assert message.subject == (
        "Dana Whitfield replied to your comment on “Social Media Experts”"
    )
    assert "Dana Whitfield (Author) replied" in message.body
    assert "I don't think we disagree as much as it seems." in message.body
    assert "> The social media expert is mostly a myth." in message.body
    permalink = (
        f"{SITE}/articles/{gunther.article.slug}/?comment={reply.pk}#comment-{reply.pk}"
    )
    assert permalink in message.body
    html = html_part(message)
    assert f'href="{permalink}"' in html
    assert ">Author</span>" in html
    assert "I don&#x27;t think we disagree" in html or "I don't think" in html


def test_every_email_has_text_and_html_parts_and_one_click_unsubscribe(
    mailoutbox, conversation, dana
):
    every_kind_of_email(conversation, dana)

    assert len(mailoutbox) == 4
    for message in mailoutbox:
        parsed = raw(message)
        assert parsed.get_content_type() == "multipart/alternative"
        assert [part.get_content_type() for part in parsed.iter_parts()] == [
            "text/plain",
            "text/html",
        ]
        assert re.fullmatch(
            rf"<{SITE}/email/unsubscribe/[^/>]+/>", parsed["List-Unsubscribe"]
        )
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsed["Auto-Submitted"] == "auto-generated"


def test_list_unsubscribe_url_is_sent_as_plain_text_not_encoded_words(
    mailoutbox, conversation
):
    gunther, reply = conversation

    emails.send_reply_email(reply, "gunther@example.org")

    wire = mailoutbox[0].message().as_bytes().decode()
    [line] = [row for row in wire.splitlines() if row.startswith("List-Unsubscribe:")]
    assert line.startswith(f"List-Unsubscribe: <{SITE}/email/unsubscribe/")
    assert "=?utf-8?" not in line


def test_list_unsubscribe_also_offers_a_mailbox_when_one_is_configured(
    mailoutbox, conversation, settings
):
    settings.PARLEY = {**settings.PARLEY, "UNSUBSCRIBE_MAILTO": "leave@example.com"}
    gunther, reply = conversation

    emails.send_reply_email(reply, "gunther@example.org")

    header = raw(mailoutbox[0])["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/email/unsubscribe/")
    assert header.endswith(", <mailto:leave@example.com?subject=unsubscribe>")


def test_every_link_in_every_email_is_absolute_on_the_site(
    mailoutbox, conversation, dana
):
    every_kind_of_email(conversation, dana)

    for message in mailoutbox:
        hrefs = re.findall(r'href="([^"]+)"', html_part(message))
        assert hrefs
        for href in hrefs:
            assert href.startswith(f"{SITE}/"), href


def test_held_comment_email_gives_the_reason_the_admin_link_and_signed_decisions(
    mailoutbox, dana
):
    held = CommentFactory(
        article=ArticleFactory(author=dana),
        status=Comment.Status.PENDING,
        published_at=None,
        status_reason="contains a link",
    )

    emails.send_held_comment_email(held, "dana@example.com", dana)

    [message] = mailoutbox
    assert "Held because: contains a link" in message.body
    assert f"{SITE}/admin/comments/comment/{held.pk}/change/" in message.body
    assert f"{SITE}/email/moderate/{held.pk}/approve/" in message.body
    assert f"{SITE}/email/moderate/{held.pk}/spam/" in message.body


@pytest.mark.parametrize(
    "name",
    [
        "Mallory\r\nBcc: victim@example.net",
        "Mallory\nX-Injected: yes",
        "Mallory\u2028Bcc: victim@example.net",
        "Mallory\x0b\x0c\x1c",
    ],
)
def test_user_text_never_adds_a_header_or_breaks_the_subject(mailoutbox, dana, name):
    held = CommentFactory(
        article=ArticleFactory(author=dana, title="Title\r\nX-Title: injected"),
        author_name=name,
        status=Comment.Status.PENDING,
        published_at=None,
    )

    emails.send_held_comment_email(held, "dana@example.com", dana)

    [message] = mailoutbox
    parsed = raw(message)
    assert "\n" not in parsed["Subject"] and "\r" not in parsed["Subject"]
    assert parsed["Subject"].startswith("Comment waiting for you on “Title X-Title")
    assert parsed["Bcc"] is None
    assert parsed["X-Injected"] is None
    assert parsed["X-Title"] is None
    assert message.recipients() == ["dana@example.com"]


def test_a_very_long_name_gives_a_shortened_subject(mailoutbox, dana):
    held = CommentFactory(
        article=ArticleFactory(author=dana),
        author_name="N" * 80,
        status=Comment.Status.PENDING,
        published_at=None,
    )

    emails.send_held_comment_email(held, "dana@example.com", dana)

    assert len(mailoutbox[0].subject) <= emails.MAX_SUBJECT_LENGTH


HOSTILE_BODIES = [
    '<script>alert("x")</script>',
    '<img src="https://tracker.example/pixel.gif" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '"><iframe src="https://evil.example/"></iframe>',
    '<style>@import url("https://evil.example/x.css");</style>',
    "<form action=https://evil.example/><input name=q></form>",
    '<a href="https://ok.example/" onclick="alert(1)" style="background:url(https://t.example/)">x</a>',
]


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_html_part_has_no_active_content_and_no_remote_images(
    mailoutbox, conversation, dana, body
):
    gunther, _reply = conversation
    hostile = CommentFactory(
        article=gunther.article,
        parent=gunther,
        author_name='<b onmouseover="alert(1)">Mallory</b>',
        body=body,
    )
    held = CommentFactory(
        article=gunther.article,
        author_name='"><script>alert(2)</script>',
        body=body,
        status=Comment.Status.PENDING,
        published_at=None,
    )

    emails.send_reply_email(hostile, "gunther@example.org")
    emails.send_held_comment_email(held, "dana@example.com", dana)
    emails.send_comment_live_email(hostile, "gunther@example.org")

    for message in mailoutbox:
        assert active_content(html_part(message)) == [], message.subject
