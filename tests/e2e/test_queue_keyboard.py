"""The moderation queue in Chromium at 1366×768: it fits, it clears by keyboard alone, and it works without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.chromium import ARTIFACTS, screenshot
from tests.e2e.pages import (
    REFERENCE_PATH,
    comment_id_of,
    comment_with_text,
    fill_comment_form,
    log_in_as_editor,
    shell_json,
    submit_comment_form,
)

pytestmark = pytest.mark.e2e

SCREEN = {"width": 1366, "height": 768}
QUEUE = "/admin/comments/comment/"
# What editors' queues hold: held for the rules' reasons, some replies, some long.
REASONS = [
    "Held for review (every visitor comment)",
    "Too many links: 3 (more than 2)",
    "Sent 0.8 s after the form was shown (minimum 3 s)",
]
TEXTS = [
    "We hired an agency for our social accounts and spent a year undoing the tone "
    "they set. The expertise we needed was our own, written down.",
    "Who answers criticism at weekends? That was the question nobody at our "
    "charity could answer until we wrote a rota, and it mattered more than any tool.",
    "Interesting piece, but I would push back on one point: a small team cannot "
    "afford a specialist, and the generalist who learns the tools is the expert. "
    "We have seen this at three newsrooms now, and each time the person who "
    "knew the organisation best did better than the consultant brought in. "
    "The article's distinction between tools and judgement is the useful part.",
]
# Not the journeys' text: posted again, it would be refused as a duplicate of
# the comment the journeys had approved.
HELD_TEXT = (
    "Our library tried a rota for the accounts. It worked until someone had to "
    "answer an angry post on a Sunday, and then nobody knew whose turn it was."
)
NAMES = [
    "Sam Okafor",
    "Lena Fischer",
    "Priya Raman",
    "Tom Becker",
    "Ana Lima",
    "Joe Park",
]


@pytest.fixture
def queue_article(stack):
    """An article of its own with the test's pending comments, deleted afterwards."""
    code = (
        "import json\n"
        "from django.utils import timezone\n"
        "from articles.models import Article\n"
        "demo = Article.objects.order_by('pk').first()\n"
        "article = Article.objects.create(title='Measuring What Social Media Is Worth',"
        " slug=f'measuring-social-media-{timezone.now().timestamp():.0f}',"
        " author=demo.author, body='<p>Counting followers is not counting value.</p>',"
        " status=Article.Status.PUBLISHED, published_at=timezone.now())\n"
        "print(json.dumps(article.pk))"
    )
    article_id = shell_json(stack, code)
    yield article_id
    stack.shell(
        "from articles.models import Article\n"
        "from comments.models import Comment\n"
        f"Comment.objects.filter(article_id={article_id}).delete()\n"
        f"Article.objects.filter(pk={article_id}).delete()"
    )


def seed_pending(stack, article_id, count, names=()):
    """Store `count` pending comments on the article (every third a reply), oldest first."""
    names = list(names) or [f"Reader {n + 1}" for n in range(count)]
    code = (
        "import json\n"
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from comments.models import Comment\n"
        f"reasons, texts, names = {REASONS!r}, {TEXTS!r}, {names!r}\n"
        "now, ids, parent = timezone.now(), [], None\n"
        f"for n in range({count}):\n"
        f"    comment = Comment(article_id={article_id}, author_name=names[n],"
        " author_email=f'reader{n + 1}@example.net', body=texts[n % 3],"
        " status=Comment.Status.PENDING, status_reason=reasons[n % 3],"
        " parent=parent if n % 3 == 1 else None,"
        f" created_at=now - timedelta(minutes={count} - n))\n"
        "    comment.save()\n"
        "    parent = parent or Comment.objects.filter(pk=comment.pk).first()\n"
        "    ids.append(comment.pk)\n"
        "print(json.dumps(ids))"
    )
    return shell_json(stack, code)


def statuses(stack, ids):
    code = (
        "import json\n"
        "from comments.models import Comment\n"
        f"rows = Comment.objects.filter(pk__in={ids!r}).values_list('pk', 'status')\n"
        "print(json.dumps({str(pk): status for pk, status in rows}))"
    )
    return {int(pk): status for pk, status in shell_json(stack, code).items()}


def editor_at_1366(new_context, **options):
    page = new_context(**options).new_page()
    page.set_viewport_size(SCREEN)
    log_in_as_editor(page)
    return page


def scrolls_sideways(page):
    return page.evaluate(
        """() => {
            const results = document.querySelector('#changelist .results');
            return document.documentElement.scrollWidth > window.innerWidth
                || results.scrollWidth > results.clientWidth;
        }"""
    )


def test_fifty_comments_cleared_by_keyboard_alone_with_no_page_load(
    new_context, stack, queue_article
):
    ids = seed_pending(stack, queue_article, 50)
    page = editor_at_1366(new_context)
    page.goto(f"{QUEUE}?article={queue_article}")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(50)
    assert not scrolls_sideways(page)
    # The text, the article, the sender's history, the held rule, age, reply context.
    first_reply = rows.nth(1)
    expect(first_reply).to_contain_text("In reply to Reader 1")
    expect(first_reply).to_contain_text("On Measuring What Social Media Is Worth")
    expect(first_reply).to_contain_text("First comment")
    expect(first_reply).to_contain_text("Too many links")
    expect(first_reply.locator(".field-age time")).to_be_visible()
    expect(rows.nth(2).locator("details.comment-full summary")).to_be_visible()

    page.keyboard.press("?")
    expect(page.locator("#queue-keys")).to_be_visible()
    expect(page.locator("#queue-keys")).to_contain_text("Undo the last decision")
    page.keyboard.press("Escape")
    expect(page.locator("#queue-keys")).to_be_hidden()

    loads = []
    page.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame == page.main_frame else None,
    )
    page.evaluate("window.queueStillOpen = true")
    page.keyboard.press("j")
    expect(rows.first).to_be_focused()
    outline = rows.first.evaluate("row => getComputedStyle(row).outlineStyle")
    assert outline != "none", "the focused row shows no outline"
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(rows.first).to_be_focused()

    keys = ["a", "a", "d", "s", "a"] * 10
    for key in keys:
        page.keyboard.press(key)
    # Sent one after another, as fast as the server answers.
    expect(page.locator("#result_list tbody tr.queue-decided")).to_have_count(
        50, timeout=120_000
    )
    expect(page.locator("#result_list tbody tr.queue-sending")).to_have_count(0)

    wanted = {"a": "approved", "d": "rejected", "s": "spam"}
    assert statuses(stack, ids) == {
        pk: wanted[key] for pk, key in zip(ids, keys, strict=True)
    }
    assert loads == [] and page.evaluate("window.queueStillOpen")
    expect(page.locator(".queue-undo-text")).to_contain_text("Reader 50’s comment")

    # z takes back the newest decision; the row is waiting again, in place.
    page.keyboard.press("z")
    last = rows.nth(49)
    expect(last).not_to_have_class(re.compile(r"queue-decided"))
    expect(last.locator(".row-outcome")).to_contain_text("pending again")
    expect(last).to_be_focused()
    assert statuses(stack, [ids[-1]]) == {ids[-1]: "pending"}
    assert loads == []
    screenshot(page, "queue-cleared-by-keyboard", full_page=False)

    # Enter opens the comment the keys are on; r opens it at its reply form.
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{QUEUE}{ids[-1]}/change/$"))
    page.go_back()
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(rf"{QUEUE}{ids[-1]}/change/#reply-title$"))


def test_row_actions_and_undo_without_javascript(new_context, stack, queue_article):
    ids = seed_pending(stack, queue_article, 3)
    page = editor_at_1366(new_context, java_script_enabled=False)
    address = f"{QUEUE}?article={queue_article}"
    page.goto(address)
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    assert not scrolls_sideways(page)
    expect(page.locator(".queue-keys-open")).to_be_hidden()

    rows.first.get_by_role("button", name="Approve").click()

    expect(page.locator(".messagelist")).to_contain_text("The comment was approved.")
    assert page.url.endswith(address)  # back on the same page of the queue
    expect(rows).to_have_count(2)
    expect(page.locator(".queue-undo")).to_contain_text(
        "Reader 1’s comment is approved."
    )

    rows.first.get_by_role("button", name="Spam").click()
    expect(rows).to_have_count(1)
    page.locator(".queue-undo").get_by_role("button", name="Undo").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "Undone: Reader 2’s comment is pending again."
    )
    expect(rows).to_have_count(2)
    assert statuses(stack, ids) == {
        ids[0]: "approved",
        ids[1]: "pending",
        ids[2]: "pending",
    }


def test_approve_and_next_walks_the_queue_from_a_comments_page(
    new_context, stack, queue_article
):
    ids = seed_pending(stack, queue_article, 2)
    page = editor_at_1366(new_context)
    page.goto(f"{QUEUE}{ids[0]}/change/")

    page.get_by_role("button", name="Approve and next").click()

    # Older waiting comments (the demo's) come first in the queue; this one
    # goes to the next after it, whichever that is.
    expect(page).to_have_url(re.compile(rf"{QUEUE}{ids[1]}/change/$"))
    expect(page.locator(".messagelist")).to_contain_text("The comment was approved.")
    assert statuses(stack, [ids[0]]) == {ids[0]: "approved"}


def test_readme_screenshots_of_the_queue_and_a_comments_page(
    new_context, stack, queue_article
):
    ids = seed_pending(stack, queue_article, 6, names=NAMES)
    page = editor_at_1366(new_context)
    page.goto(QUEUE)
    expect(page.locator(".queue-keys-open")).to_be_visible()  # the script ran
    # The first waiting comment approved with "a", the keys now on the next.
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator(".queue-undo")).to_be_visible()
    screenshot(page, "moderation-queue", full_page=False)
    assert not scrolls_sideways(page)

    page.goto(f"{QUEUE}{ids[2]}/change/")
    page.get_by_label("Your reply").fill(
        "Thank you, Priya. A rota is exactly the kind of judgement the article means."
    )
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.get_by_role("button", name="Approve and next")).to_be_visible()
    screenshot(page, "approve-and-reply", full_page=False)


def test_readme_screenshots_of_the_conversation_and_a_held_comment(new_context, stack):
    page = new_context().new_page()
    page.set_viewport_size(SCREEN)
    page.goto(REFERENCE_PATH)
    page.locator("#comments ol.comment-list").first.screenshot(
        path=str(ARTIFACTS / "conversation.png")
    )

    fill_comment_form(
        page, name="Morgan Reyes", email="morgan.reyes@example.net", body=HELD_TEXT
    )
    submit_comment_form(page)
    own = comment_with_text(page, HELD_TEXT)
    expect(own).to_contain_text(re.compile("awaiting moderation", re.I))
    own.evaluate("element => element.scrollIntoView({block: 'center'})")
    screenshot(page, "held-comment", full_page=False)
    stack.shell(
        "from comments.models import Comment\n"
        f"Comment.objects.filter(pk={comment_id_of(own)}).delete()"
    )
