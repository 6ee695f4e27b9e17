"""XSS in the browser: hundreds of payloads posted through the form, approved, then rendered.

Each payload sets `window.__xss` or opens an alert if it ever runs. They are
posted as replies to Gunther's comment (one thread, so one page shows them
all; his address is confirmed, so each approval also emails him the reply),
approved through `Comment.approve()`, and the article page, the admin
changelist and every change page are loaded in Chromium with listeners for
dialogs, page errors and Content-Security-Policy violations. The article page
is loaded twice: with the site's CSP, and with CSP bypassed, so the sanitiser
is proven on its own and not only hidden behind the policy. The notification
emails the SMTP server received are checked for active content and remote
images.
"""

import importlib
import json
import time

import pytest

from tests.e2e import xss_extra
from tests.e2e.active_content import active_content
from tests.e2e.pages import (
    GUNTHER_OPENING,
    REFERENCE_PATH,
    form_fields,
    log_in_as_editor,
    shell_json,
    wait_past_minimum_time,
)

pytestmark = pytest.mark.e2e

MINIMUM_PAYLOADS = 150

# Records everything that could mean a payload ran: a flag, a dialog, a page
# error, a CSP violation. Installed before any page script runs.
WATCH = """
window.__xssEvents = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__xssEvents.push(
    `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI} ${event.sample}`
  );
});
"""

# Elements and attributes through which user text could run, wherever they are.
FIND_ACTIVE = """
(userContent) => {
  const problems = [];
  const urlAttributes = ['href', 'src', 'action', 'formaction', 'xlink:href', 'data',
                         'background', 'poster', 'srcset'];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
      if (name.startsWith('on')) problems.push(`<${el.localName} ${name}>`);
      if (name === 'srcdoc') problems.push(`<${el.localName} srcdoc>`);
      if (urlAttributes.includes(name) &&
          /^(javascript|vbscript|livescript):|^data:text\\/html/.test(value)) {
        problems.push(`<${el.localName} ${name}="${attr.value.slice(0, 60)}">`);
      }
    }
    if (el.localName === 'script') {
      const inline = !el.src;
      const json = (el.type || '').toLowerCase() === 'application/json';
      if (inline && !json && !el.nonce) problems.push('inline <script> without nonce');
      if (!inline && new URL(el.src, location.href).origin !== location.origin) {
        problems.push(`foreign <script src="${el.src}">`);
      }
    }
  }
  for (const area of document.querySelectorAll(userContent)) {
    for (const el of area.querySelectorAll(
        'script, iframe, frame, object, embed, base, meta, link, style, form, input, ' +
        'button, textarea, select, svg, math, template, img, video, audio')) {
      problems.push(`<${el.localName}> inside user content`);
    }
  }
  return problems;
}
"""
SITE_USER_CONTENT = ".comment-body, .comment-author"
CHANGELIST_USER_CONTENT = "#result_list .field-comment, #result_list .field-sender"


def load_payloads():
    """Return (A1's corpus from tests/comments/xss_payloads.py, if any) + our own, deduplicated."""
    bodies = []
    try:
        corpus = importlib.import_module("tests.comments.xss_payloads")
    except ModuleNotFoundError:
        corpus = None
    if corpus is not None:
        for name in dir(corpus):
            value = getattr(corpus, name)
            if name.isupper() and isinstance(value, list | tuple):
                bodies += [p for p in value if isinstance(p, str)]
    bodies += xss_extra.BODIES
    return list(dict.fromkeys(bodies))


def cases():
    """Return the form submissions: each payload in the field it attacks."""
    submissions = [
        {"name": f"Body payload {i}", "body": payload}
        for i, payload in enumerate(load_payloads())
    ]
    submissions += [
        {"name": payload, "body": f"Name payload {i}.", "email_me": True}
        for i, payload in enumerate(xss_extra.NAMES)
    ]
    submissions += [
        {"name": f"Website payload {i}", "website": payload, "body": "Website case."}
        for i, payload in enumerate(xss_extra.WEBSITES)
    ]
    for i, case in enumerate(submissions):
        case["email"] = f"xss{i}@example.com"
    return submissions


def watch(page, events):
    page.add_init_script(WATCH)
    page.on("dialog", lambda d: (events.append(f"dialog {d.type}: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: events.append(f"console {m.type}: {m.text}")
        if "__xss" in m.text or "alert" in m.text
        else None,
    )


def executed(page, events, user_content):
    """Return what ran (or could run) on the loaded page; empty when nothing did."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # autofocus, load and error events fire after load
    found = list(events)
    found += page.evaluate("window.__xssEvents || []")
    flag = page.evaluate("typeof window.__xss === 'undefined' ? null : String(window.__xss)")
    if flag is not None:
        found.append(f"window.__xss was set: {flag}")
    found += page.evaluate(FIND_ACTIVE, user_content)
    events.clear()
    return found


def test_xss_payloads_never_run_in_pages_or_emails(new_context, stack, mailbox):
    thread = shell_json(
        stack,
        """
import json
from django.utils import timezone
from comments.models import Comment, Subscriber
gunther = Comment.objects.get(author_name="Gunther")
Subscriber.objects.update_or_create(
    email=gunther.author_email, defaults={"confirmed_at": timezone.now()})
print(json.dumps({"gunther": gunther.pk}))
""",
    )
    gunther_id = thread["gunther"]
    submissions = cases()
    assert len(load_payloads()) + len(xss_extra.NAMES) >= MINIMUM_PAYLOADS

    poster = new_context()
    page = poster.new_page()
    page.goto(f"{REFERENCE_PATH}?replyto={gunther_id}#respond")
    form = form_fields(page)
    wait_past_minimum_time(page)
    # What the browser would send: the hidden fields (CSRF, the signed form
    # token, the empty honeypot, the parent) as rendered, the typed ones ours.
    base = {
        k: v
        for k, v in form["fields"].items()
        if k not in ("notify_on_reply", "remember")
    }
    refused = []
    started = time.monotonic()
    for case in submissions:
        data = {**base, "name": case["name"], "email": case["email"]}
        data["website"] = case.get("website", "")
        data["comment"] = case["body"]
        if case.get("email_me"):
            data["notify_on_reply"] = "on"
        response = poster.request.post(form["action"], form=data, max_redirects=0)
        assert response.status != 500, f"500 for {case}"
        if response.status != 302:
            refused.append((response.status, case))
    posting_seconds = time.monotonic() - started
    print(f"posted {len(submissions)} in {posting_seconds:.1f} s")

    approved = shell_json(
        stack,
        f"""
import json
from django.contrib.auth import get_user_model
from comments.models import Comment
editor = get_user_model().objects.get(username="editor")
held = Comment.objects.filter(parent_id={gunther_id}, author_email__startswith="xss")
statuses = sorted(set(held.values_list("status", flat=True)))
ids = []
for comment in held.filter(status="pending"):
    comment.approve(by=editor)
    ids.append(comment.pk)
print(json.dumps({{"ids": ids, "statuses": statuses}}))
""",
    )
    ids = approved["ids"]
    print(f"approved {len(ids)} at {time.monotonic() - started:.1f} s")
    stored_payloads = len(ids)
    assert stored_payloads >= MINIMUM_PAYLOADS, (
        f"Only {stored_payloads} payload comments were stored and held "
        f"(statuses {approved['statuses']}); refused: {refused[:10]}"
    )

    problems = {}

    # The article page, as deployed (CSP on) and with CSP bypassed.
    for bypass in (False, True):
        context = new_context(bypass_csp=bypass)
        events = []
        reader = context.new_page()
        watch(reader, events)
        reader.goto(REFERENCE_PATH)
        shown = reader.locator(".comment-replies article.comment").count()
        assert shown >= stored_payloads, f"Only {shown} replies shown on the article"
        assert GUNTHER_OPENING in reader.content()
        reader.locator(".comment-body").first.hover()
        found = executed(reader, events, SITE_USER_CONTENT)
        if found:
            problems[f"article page (bypass_csp={bypass})"] = found

    # The admin: the changelist with every approved payload, and each change page.
    context = new_context(bypass_csp=True)
    events = []
    admin = context.new_page()
    watch(admin, events)
    log_in_as_editor(admin)
    admin.goto("/admin/comments/comment/?status=approved&all=")
    found = executed(admin, events, CHANGELIST_USER_CONTENT)
    if found:
        problems["admin changelist"] = found
    started = time.monotonic()
    for comment_id in ids:
        admin.goto(f"/admin/comments/comment/{comment_id}/change/")
        found = executed(admin, events, "#content-main .comment-thread")
        if found:
            problems[f"change page of comment {comment_id}"] = found
    change_page_seconds = time.monotonic() - started

    # Emails: held-comment emails to the article's author, reply emails to
    # Gunther, confirmation requests to the name payloads' addresses.
    replies = mailbox.wait_for_count(
        lambda m: "gunther@example.org" in m.envelope_recipients
        and any(f"#comment-{i}" in str(m.get_body(("plain",))) for i in ids[-1:]),
        1,
        timeout=120,
        what="reply email for the last approved payload",
    )
    assert replies
    checked = 0
    for message in list(mailbox.messages):
        for part in message.walk():
            if part.get_content_type() != "text/html":
                continue
            checked += 1
            found = active_content(part.get_content(), stack.url)
            if found:
                problems[f"email {message['Subject']!r} to {message['To']}"] = found
    assert checked >= stored_payloads, f"Only {checked} HTML email parts received"

    print(
        json.dumps(
            {
                "payload_comments_stored": stored_payloads,
                "refused_by_form": len(refused),
                "posting_seconds": round(posting_seconds, 1),
                "change_pages_seconds": round(change_page_seconds, 1),
                "html_emails_checked": checked,
            }
        )
    )
    assert not problems, json.dumps(problems, indent=2)[:8000]
