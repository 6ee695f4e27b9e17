"""A writer edits their comment within the window, and a reader follows an article, clicked through in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import screenshot
from tests.e2e.pages import (
    REFERENCE_PATH,
    comment_by_id,
    comment_id_of,
    comment_with_text,
    fill_comment_form,
    shell_json,
    submit_comment_form,
    wait_past_minimum_time,
)
from tests.stack import body_text

pytestmark = pytest.mark.e2e

URL = re.compile(r"https?://[^\s<>\"']+")
FIRST_TEXT = (
    "Small teams need one person who answers readers, and a deputy for holidays."
)
EDITED_TEXT = (
    "Small teams need one person who answers readers, and a deputy for holidays "
    "and sick days."
)
FOLLOWER = "sasha.follower@example.net"


def links_in(message):
    return URL.findall(body_text(message))


def test_journey_edit_within_the_window(new_context, stack):
    page = new_context().new_page()
    page.goto(REFERENCE_PATH)
    fill_comment_form(
        page,
        name="Ines Duarte",
        email="ines@example.org",
        body=FIRST_TEXT,
        email_me=False,
    )
    submit_comment_form(page)
    own = comment_with_text(page, FIRST_TEXT)
    comment_id = comment_id_of(own)
    shell_json(
        stack,
        "import json\nfrom comments.models import Comment\n"
        f"Comment.objects.get(pk={comment_id}).approve()\n"
        "print(json.dumps(True))",
    )
    page.reload()

    # Only the writer's browser is offered the links.
    stranger = new_context().new_page()
    stranger.goto(REFERENCE_PATH)
    expect(comment_by_id(stranger, comment_id)).to_contain_text(FIRST_TEXT)
    expect(comment_by_id(stranger, comment_id).locator(".comment-edit")).to_have_count(
        0
    )

    comment_by_id(page, comment_id).get_by_role(
        "link", name=re.compile("^edit", re.I)
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your comment")
    page.get_by_label("Comment", exact=True).fill(EDITED_TEXT)
    wait_past_minimum_time(page)
    page.get_by_role("button", name="Save changes").click()

    expect(page.locator(".messages")).to_contain_text("Your changes are saved.")
    edited = comment_by_id(page, comment_id)
    expect(edited).to_contain_text(EDITED_TEXT)
    expect(edited.locator(".comment-edited")).to_have_text("edited")

    stranger.reload()
    public = comment_by_id(stranger, comment_id)
    expect(public).to_contain_text(EDITED_TEXT)
    expect(public.locator(".comment-edited")).to_have_text("edited")
    public.evaluate("element => element.scrollIntoView({block: 'center'})")
    stranger.set_viewport_size({"width": 1366, "height": 768})
    # The README's picture (docs/screenshots/edited-comment.png).
    screenshot(stranger, "edited-comment", full_page=False)

    versions = shell_json(
        stack,
        "import json\nfrom comments.models import Comment\n"
        f"c = Comment.objects.get(pk={comment_id})\n"
        "print(json.dumps([c.status, [v.body for v in c.versions.all()]]))",
    )
    assert versions == ["approved", [FIRST_TEXT]]


def test_journey_follow_an_article(new_context, stack, mailbox):
    page = new_context().new_page()
    page.goto(REFERENCE_PATH)
    page.get_by_role("link", name="Follow this conversation").click()
    page.get_by_label("Email", exact=True).fill(FOLLOWER)
    page.get_by_label("An email for each new comment").check()
    page.get_by_role("button", name="Follow").click()
    expect(page.locator(".messages")).to_contain_text(
        "sent it a link to confirm it first"
    )

    confirmation = mailbox.wait_for(
        lambda m: (
            FOLLOWER in m.envelope_recipients and "confirm" in str(m["Subject"]).lower()
        ),
        what=f"confirmation email to {FOLLOWER}",
    )
    confirm = next(link for link in links_in(confirmation) if "/confirm/" in link)
    page.goto(confirm)
    page.get_by_role("button", name=re.compile("confirm", re.I)).first.click()
    expect(page.locator("main")).to_contain_text(re.compile("confirmed", re.I))

    text = "A follower should hear about this one."
    comment_id = shell_json(
        stack,
        "import json\nfrom articles.models import Article\n"
        "from comments.models import Comment\n"
        f"article = Article.objects.get(slug={REFERENCE_PATH.split('/')[2]!r})\n"
        "c = Comment(article=article, author_name='Noor', author_email="
        f"'noor@example.org', body={text!r}, notify_on_reply=False).submit()\n"
        "c.approve()\n"
        "print(json.dumps(c.pk))",
    )
    message = mailbox.wait_for(
        lambda m: FOLLOWER in m.envelope_recipients and text in body_text(m),
        what=f"new comment email to {FOLLOWER}",
    )
    assert f"#comment-{comment_id}" in body_text(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = URL.search(str(message["List-Unsubscribe"])).group(0)
    assert "/unfollow/" in one_click

    response = new_context().request.post(
        one_click, form={"List-Unsubscribe": "One-Click"}, max_redirects=0
    )
    assert response.status == 200, response.status
    unfollowed = shell_json(
        stack,
        "import json\nfrom comments.models import Follower\n"
        f"print(json.dumps(Follower.objects.get(email={FOLLOWER!r})"
        ".unfollowed_at is not None))",
    )
    assert unfollowed
