"""A visitor's, an editor's and an author's journeys, clicked through in Chromium against the real stack.

Journeys 1 to 4 are one story told in order (a visitor's comment is held,
confirmed, answered from the admin, and the answer reaches them by email), so
they share `story`; 5 to 7 stand alone.
"""

import re
import time
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import ARTIFACTS, screenshot
from tests.e2e.pages import (
    AUTHOR_REPLY_OPENING,
    EDITOR,
    GUNTHER_OPENING,
    REFERENCE_PATH,
    REFERENCE_TITLE,
    comment_by_id,
    comment_id_of,
    comment_with_text,
    fill_comment_form,
    log_in,
    log_in_as_editor,
    replies_beneath,
    shell_json,
    submit_comment_form,
)
from tests.stack import body_text

pytestmark = pytest.mark.e2e

VISITOR_NAME = "Morgan Reyes"
VISITOR_EMAIL = "morgan.reyes@example.net"
VISITOR_TEXT = (
    "We are a small volunteer group and tried running our accounts ourselves. "
    "The hardest part was deciding who answers criticism, not the tools."
)
EDITOR_REPLY_TEXT = (
    "Thank you, Morgan. Deciding who answers, and how fast, is exactly the "
    "kind of judgement the article means."
)
LATER_REPLY_TEXT = "One more thought: write that decision down where everyone sees it."
URL = re.compile(r"https?://[^\s<>\"']+")


@pytest.fixture(scope="module")
def story():
    return SimpleNamespace(comment_id=None, reply_id=None, reply_email=None)


def require(value, journey):
    if value is None:
        pytest.fail(f"Needs what journey {journey} should have done; see its failure.")
    return value


def links_in(message):
    return URL.findall(body_text(message))


def notification_state(stack, kind, comment_id, recipient, timeout=30):
    """Wait until the worker has dealt with one notification; return its status and reason."""
    code = (
        "import json\n"
        "from comments.models import Notification\n"
        f"n = Notification.objects.filter(kind={kind!r}, comment_id={comment_id},"
        f" recipient={recipient!r}).values('status', 'reason').first()\n"
        "print(json.dumps(n))"
    )
    deadline = time.monotonic() + timeout
    while True:
        state = shell_json(stack, code)
        if state and state["status"] not in ("queued", "sending"):
            return state
        if time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def test_journey_1_visitor_comment_is_held_and_shown_only_to_them(
    new_context, stack, story
):
    page = new_context().new_page()
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "journey1-home")
    page.get_by_role("link", name=REFERENCE_TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(REFERENCE_TITLE)

    gunther = comment_with_text(page, GUNTHER_OPENING)
    expect(gunther).to_have_count(1)
    expect(gunther.locator(".comment-author")).to_have_text("Gunther")
    author_reply = replies_beneath(page, comment_id_of(gunther)).filter(
        has_text=AUTHOR_REPLY_OPENING
    )
    expect(author_reply).to_have_count(1)
    expect(author_reply.locator(".badge")).to_have_text("Author")
    screenshot(page, "journey1-article")

    fill_comment_form(
        page, name=VISITOR_NAME, email=VISITOR_EMAIL, body=VISITOR_TEXT, email_me=True
    )
    submit_comment_form(page)

    expect(page.locator(".messages")).to_contain_text(re.compile("moderat", re.I))
    own = comment_with_text(page, VISITOR_TEXT)
    expect(own).to_have_count(1)
    expect(own).to_contain_text(re.compile("awaiting moderation", re.I))
    assert page.url.endswith(f"#comment-{comment_id_of(own)}")
    story.comment_id = comment_id_of(own)
    screenshot(page, "journey1-article-after-posting")
    own.evaluate("element => element.scrollIntoView({block: 'center'})")
    screenshot(page, "journey1-held-comment", full_page=False)

    stranger = new_context().new_page()
    stranger.goto(REFERENCE_PATH)
    expect(stranger.get_by_role("heading", level=1)).to_have_text(REFERENCE_TITLE)
    expect(comment_with_text(stranger, GUNTHER_OPENING)).to_have_count(1)
    expect(stranger.get_by_text(VISITOR_TEXT)).to_have_count(0)
    expect(stranger.locator(f"#comment-{story.comment_id}")).to_have_count(0)


def test_journey_2_visitor_confirms_their_address(new_context, stack, mailbox, story):
    require(story.comment_id, 1)
    message = mailbox.wait_for(
        lambda m: (
            VISITOR_EMAIL in m.envelope_recipients
            and "confirm" in str(m["Subject"]).lower()
        ),
        what=f"confirmation email to {VISITOR_EMAIL}",
    )
    confirm_links = [link for link in links_in(message) if "confirm" in link]
    assert confirm_links, f"No confirmation link in:\n{body_text(message)}"
    assert confirm_links[0].startswith(stack.url)

    page = new_context().new_page()
    page.goto(confirm_links[0])
    button = page.get_by_role("button", name=re.compile("confirm", re.I))
    if button.count():
        button.first.click()
    expect(page.locator("main")).to_contain_text(re.compile("confirmed", re.I))
    screenshot(page, "journey2-confirmed")

    confirmed = shell_json(
        stack,
        "import json\nfrom comments.models import Subscriber\n"
        f"s = Subscriber.objects.filter(email={VISITOR_EMAIL!r}).first()\n"
        "print(json.dumps(bool(s and s.confirmed_at and not s.unsubscribed_at)))",
    )
    assert confirmed, "The confirmation page did not record the visitor's consent"


def test_journey_3_editor_approves_and_replies_from_the_queue(
    new_context, stack, story
):
    comment_id = require(story.comment_id, 1)
    page = new_context().new_page()
    log_in_as_editor(page)
    page.goto("/admin/comments/comment/")
    rows = page.locator("#result_list tbody tr")
    expect(rows.filter(has_text=VISITOR_NAME)).to_have_count(1)
    screenshot(page, "journey3-queue")

    page.locator("#searchbar").fill(VISITOR_EMAIL)
    page.locator("#searchbar").press("Enter")
    expect(rows.first).to_contain_text(VISITOR_NAME)
    rows.first.locator(".field-comment a").first.click()
    expect(page).to_have_url(
        re.compile(rf"/admin/comments/comment/{comment_id}/change/")
    )

    page.get_by_label("Your reply").fill(EDITOR_REPLY_TEXT)
    page.set_viewport_size({"width": 1100, "height": 1000})
    screenshot(page, "journey3-change-page", full_page=False)
    page.get_by_role("button", name=re.compile("approve and reply", re.I)).click()
    expect(page.locator(".messagelist")).to_contain_text(
        re.compile("approved and reply published", re.I)
    )

    reader = new_context().new_page()
    reader.goto(REFERENCE_PATH)
    visitor_comment = comment_by_id(reader, comment_id)
    expect(visitor_comment).to_contain_text(VISITOR_TEXT)
    expect(visitor_comment).not_to_contain_text(re.compile("awaiting", re.I))
    reply = replies_beneath(reader, comment_id).filter(has_text=EDITOR_REPLY_TEXT)
    expect(reply).to_have_count(1)
    expect(reply.locator(".badge")).to_have_text("Staff")
    expect(reply.locator(".comment-author")).to_have_text("Erin Editor")
    story.reply_id = comment_id_of(reply)
    screenshot(reader, "journey3-article")
    reader.locator("#comments ol.comment-list").first.screenshot(
        path=str(ARTIFACTS / "journey3-conversation.png")
    )


def test_journey_4_reply_email_links_to_the_reply_and_unsubscribes(
    new_context, stack, mailbox, story
):
    comment_id = require(story.comment_id, 1)
    reply_id = require(story.reply_id, 3)
    message = mailbox.wait_for(
        lambda m: (
            VISITOR_EMAIL in m.envelope_recipients
            and f"#comment-{reply_id}" in body_text(m)
        ),
        what=f"reply notification to {VISITOR_EMAIL}",
    )
    assert "\n" not in str(message["Subject"])
    assert EDITOR_REPLY_TEXT.split(",")[0] in body_text(message)
    permalink = next(
        link for link in links_in(message) if f"#comment-{reply_id}" in link
    )
    assert permalink.startswith(stack.url)

    page = new_context().new_page()
    page.goto(permalink)
    assert page.url.endswith(f"#comment-{reply_id}")
    landed = comment_by_id(page, reply_id)
    expect(landed).to_contain_text(EDITOR_REPLY_TEXT)
    expect(landed).to_be_in_viewport()
    screenshot(page, "journey4-permalink")

    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = URL.search(str(message["List-Unsubscribe"])).group(0)
    assert one_click.startswith(stack.url)
    # What a mail provider does for RFC 8058: a cookieless POST, no page shown.
    mail_client = new_context()
    response = mail_client.request.post(
        one_click, form={"List-Unsubscribe": "One-Click"}, max_redirects=0
    )
    assert response.status in (200, 202, 204), response.status
    unsubscribed = shell_json(
        stack,
        "import json\nfrom comments.models import Subscriber\n"
        f"s = Subscriber.objects.get(email={VISITOR_EMAIL!r})\n"
        "print(json.dumps(s.unsubscribed_at is not None))",
    )
    assert unsubscribed, "The one-click unsubscribe POST did not unsubscribe"

    # The link in the email's text: a page confirms it, a second time is harmless.
    body_link = next(
        (link for link in links_in(message) if "unsubscribe" in link), one_click
    )
    page.goto(body_link)
    button = page.get_by_role("button", name=re.compile("unsubscribe", re.I))
    if button.count():
        button.first.click()
    expect(page.locator("main")).to_contain_text(re.compile("unsubscribed", re.I))
    screenshot(page, "journey4-unsubscribed")

    editor = new_context().new_page()
    log_in_as_editor(editor)
    editor.goto(f"/admin/comments/comment/{comment_id}/change/")
    editor.get_by_label("Your reply").fill(LATER_REPLY_TEXT)
    editor.get_by_role("button", name=re.compile(r"^(publish )?reply$", re.I)).click()
    expect(editor.locator(".messagelist")).to_contain_text(
        re.compile("reply published", re.I)
    )
    later_id = shell_json(
        stack,
        "import json\nfrom comments.models import Comment\n"
        f"print(json.dumps(Comment.objects.filter(parent_id={comment_id},"
        f" body={LATER_REPLY_TEXT!r}).values_list('id', flat=True).get()))",
    )
    state = notification_state(stack, "reply", later_id, VISITOR_EMAIL)
    assert state is not None, "No notification record for the later reply"
    assert state["status"] == "skipped", state
    assert not [
        m for m in mailbox.to(VISITOR_EMAIL) if f"#comment-{later_id}" in body_text(m)
    ], "A reply email was sent after the visitor unsubscribed"


def test_journey_5_author_sees_only_their_own_articles_comments(new_context, stack):
    ids = shell_json(
        stack,
        """
import json
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from articles.models import Article
from comments.models import Comment
sam, _ = get_user_model().objects.get_or_create(
    username="sam", defaults={"first_name": "Sam", "last_name": "Okafor",
    "email": "sam@example.com", "is_staff": True})
sam.set_password("sam-writes-articles")
sam.save()
sam.groups.add(Group.objects.get(name="Authors"))
article, _ = Article.objects.get_or_create(
    slug="field-notes-from-a-small-newsroom",
    defaults={"title": "Field Notes from a Small Newsroom", "author": sam,
    "body": "<p>What we learned answering readers.</p>", "status": "published"})
own = Comment.objects.filter(article=article).first() or Comment(
    article=article, author_name="Lee", author_email="lee@example.org",
    body="How many people answer readers in your newsroom?").submit()
other = Comment.objects.get(author_name="Gunther")
print(json.dumps({"own": own.pk, "other": other.pk}))
""",
    )
    page = new_context().new_page()
    log_in(page, "sam", "sam-writes-articles")
    page.goto("/admin/comments/comment/?status=all")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("How many people answer readers")
    expect(page.locator("#content")).not_to_contain_text("Gunther")
    screenshot(page, "journey5-author-queue")

    response = page.goto(f"/admin/comments/comment/{ids['other']}/change/")
    assert response.status in (403, 404) or "/change/" not in page.url, (
        response.status,
        page.url,
    )
    expect(page.locator("body")).not_to_contain_text(GUNTHER_OPENING)


def test_journey_6_approve_link_in_moderation_email_asks_then_approves(
    new_context, stack, mailbox
):
    priya_text = "Our charity tried the do-it-yourself route"
    message = mailbox.wait_for(
        lambda m: (
            "dana@example.com" in m.envelope_recipients and priya_text in body_text(m)
        ),
        what="moderation email to the article's author about Priya's comment",
    )
    approve = [link for link in links_in(message) if "approve" in link]
    assert approve, f"No approve link in:\n{body_text(message)}"
    assert approve[0].startswith(stack.url)

    page = new_context().new_page()
    page.goto(approve[0])
    if page.locator("#id_username").count():
        # The link may ask its recipient to sign in first; that is still one journey.
        page.locator("#id_username").fill("dana")
        page.locator("#id_password").fill(EDITOR[1])
        page.get_by_role("button", name=re.compile("log in", re.I)).click()
    confirm = page.get_by_role("button", name=re.compile("approve", re.I))
    expect(confirm).to_be_visible()
    screenshot(page, "journey6-confirm-approval")
    status = shell_json(
        stack,
        "import json\nfrom comments.models import Comment\n"
        f"print(json.dumps(Comment.objects.get(body__contains={priya_text!r}).status))",
    )
    assert status == "pending", "Opening the link approved without confirmation"

    confirm.click()
    expect(page.locator("main, #content").first).to_contain_text(
        re.compile("approved", re.I)
    )
    reader = new_context().new_page()
    reader.goto(REFERENCE_PATH)
    expect(comment_with_text(reader, priya_text)).to_have_count(1)


def test_journey_7_once_approved_the_visitor_reads_like_everyone_else(
    new_context, stack
):
    text = "Our council answers every message within a day, and says so on the page."
    context = new_context()
    page = context.new_page()
    page.goto(REFERENCE_PATH)
    fill_comment_form(
        page, name="Priya Shah", email="priya@example.org", body=text, email_me=False
    )
    submit_comment_form(page)
    own = comment_with_text(page, text)
    expect(own).to_contain_text(re.compile("awaiting moderation", re.I))
    cookies = {cookie["name"] for cookie in context.cookies()}
    assert "parley_own_comments" in cookies, cookies

    approved = shell_json(
        stack,
        "import json\n"
        "from comments.models import Comment\n"
        f"comment = Comment.objects.get(pk={comment_id_of(own)})\n"
        "comment.approve()\n"
        "print(json.dumps(comment.status))",
    )
    assert approved == "approved"
    page.reload()

    expect(comment_with_text(page, text)).not_to_contain_text(
        re.compile("awaiting moderation", re.I)
    )
    cookies = {cookie["name"] for cookie in context.cookies()}
    assert "parley_own_comments" not in cookies, cookies
