"""XSS in the browser: hundreds of payloads posted through the form, approved, then rendered.

Each payload sets `window.__xss` or opens an alert if it ever runs. They are
posted as replies to Gunther's comment (one thread, so one page shows them
all; his address is confirmed, so each approval also emails him the reply),
approved through `Comment.approve()`, and the article page, the admin
changelist (every payload on one page) and a sample of change pages are loaded
in Chromium with listeners for dialogs, page errors and Content-Security-Policy
violations, then searched for event handlers, script URLs and unexpected
elements in the user's text. The article page
is loaded twice: with the site's CSP, and with CSP bypassed, so the sanitiser
is proven on its own and not only hidden behind the policy. The notification
emails the SMTP server received are checked for active content and remote
images.
"""

import importlib
import json
import time
from contextlib import contextmanager

import pytest

from tests.e2e import xss_extra
from tests.e2e.active_content import active_content
from tests.e2e.pages import (
    GUNTHER_OPENING,
    MINIMUM_SECONDS,
    REFERENCE_PATH,
    form_fields,
    log_in_as_editor,
    shell_json,
)
from tests.stack import body_text

pytestmark = pytest.mark.e2e

MINIMUM_PAYLOADS = 150
EMAIL_ME_CASES = 30
# Change pages take about half a second each to load and check, so the run
# loads every website payload's page and every CHANGE_PAGE_STRIDE-th other
# one; each change page also shows up to 20 of its siblings' excerpts.
CHANGE_PAGE_STRIDE = 20

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
# The comment cell also holds the row's decision buttons, which are the
# queue's own: user text is its link, its folded full text and its context.
CHANGELIST_USER_CONTENT = (
    "#result_list .field-comment .comment-open, "
    "#result_list .field-comment .comment-full, "
    "#result_list .field-comment .reply-context, "
    "#result_list .field-sender, #result_list .field-held_reason"
)
CHANGE_PAGE_USER_CONTENT = "#moderation .comment-text, #moderation .moderation-thread"


def _corpus():
    try:
        return importlib.import_module("tests.comments.xss_payloads")
    except ModuleNotFoundError:
        return None


def body_payloads():
    """Return the posting corpus (tests/comments/xss_payloads.py) and ours, deduplicated."""
    corpus = _corpus()
    shared = list(getattr(corpus, "PAYLOADS", []))
    return list(dict.fromkeys(shared + xss_extra.BODIES))


def name_payloads():
    """Return the payloads a name can carry: one line, at most 80 characters."""
    corpus = _corpus()
    candidates = list(getattr(corpus, "ATTRIBUTE_BREAKOUTS", [])) + xss_extra.NAMES
    candidates += body_payloads()
    fitting = [p for p in candidates if len(p) <= 80 and not set(p) & set("\r\n")]
    return list(dict.fromkeys(fitting))


def website_payloads():
    corpus = _corpus()
    shared = list(getattr(corpus, "WEBSITE_PAYLOADS", []))
    return list(dict.fromkeys(shared + xss_extra.WEBSITES))


def cases():
    """Return the form submissions: each payload in the field it attacks.

    Names ride along with body payloads (different fields, parsed apart), so
    every name payload is shown without a comment of its own. A website the
    form refuses refuses the whole comment, so websites are posted alone.
    """
    bodies, names = body_payloads(), name_payloads()
    submissions = [
        {"name": names[i % len(names)], "comment": payload}
        for i, payload in enumerate(bodies)
    ]
    submissions += [
        {"name": f"Website payload {i}", "website": payload, "comment": "Website."}
        for i, payload in enumerate(website_payloads())
    ]
    for i, case in enumerate(submissions):
        case["email"] = f"xss{i}@example.com"
        case.setdefault("website", "")
        # Confirmation emails greet the commenter by name: ask for a few.
        if i < EMAIL_ME_CASES:
            case["notify_on_reply"] = "on"
    return submissions


# Posts from the page itself, a few at a time, as the form would (same
# cookies, same origin, the redirect not followed).
POST_ALL = """
async ({action, submissions, concurrency}) => {
  const statuses = new Array(submissions.length);
  let next = 0;
  async function post() {
    while (next < submissions.length) {
      const i = next++;
      const response = await fetch(action, {
        method: 'POST', body: new URLSearchParams(submissions[i]),
        redirect: 'manual', credentials: 'same-origin',
      });
      statuses[i] = response.type === 'opaqueredirect' ? 302 : response.status;
    }
  }
  await Promise.all(Array.from({length: concurrency}, post));
  return statuses;
}
"""


def watch(page, events):
    page.add_init_script(WATCH)
    page.on(
        "dialog",
        lambda d: (events.append(f"dialog {d.type}: {d.message}"), d.dismiss()),
    )
    page.on("pageerror", lambda error: events.append(f"page error: {error}"))
    page.on(
        "console",
        lambda m: (
            events.append(f"console {m.type}: {m.text}")
            if "__xss" in m.text or "alert" in m.text
            else None
        ),
    )


def executed(page, events, user_content, settle_ms=300):
    """Return what ran (or could run) on the loaded page; empty when nothing did."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(settle_ms)  # autofocus, load and error events fire after load
    found = list(events)
    found += page.evaluate("window.__xssEvents || []")
    flag = page.evaluate(
        "typeof window.__xss === 'undefined' ? null : String(window.__xss)"
    )
    if flag is not None:
        found.append(f"window.__xss was set: {flag}")
    found += page.evaluate(FIND_ACTIVE, user_content)
    events.clear()
    return found


@contextmanager
def timed(phases, name):
    started = time.monotonic()
    yield
    phases[name] = round(time.monotonic() - started, 1)


FETCH_FORM_TOKENS = """async ({slug, count}) => {
    const tokens = [];
    for (let i = 0; i < count; i++) {
        const answer = await fetch(`/api/v1/articles/${slug}/form-token`);
        tokens.push((await answer.json()).form_token);
    }
    return tokens;
}"""


def post_all(page, submissions):
    """Post every submission with the form's hidden fields; return the HTTP statuses.

    A form token posts once: each submission gets its own, as if each were
    sent from a page of its own.
    """
    form = form_fields(page)
    slug = form["action"].rstrip("/").rsplit("/", 1)[-1]
    tokens = page.evaluate(FETCH_FORM_TOKENS, {"slug": slug, "count": len(submissions)})
    page.wait_for_timeout(MINIMUM_SECONDS * 1000)
    # What the browser would send: the hidden fields (CSRF, the empty
    # honeypot, the parent) as rendered, the typed ones ours.
    hidden = {
        k: v
        for k, v in form["fields"].items()
        if k not in ("notify_on_reply", "remember", "form_token")
    }
    return page.evaluate(
        POST_ALL,
        {
            "action": form["action"],
            "submissions": [
                {**hidden, **case, "form_token": token}
                for case, token in zip(submissions, tokens, strict=True)
            ],
            "concurrency": 4,
        },
    )


def approve_held_payloads(stack, parent_id):
    """Approve (through the one door) every held payload reply; return {email: id}."""
    return shell_json(
        stack,
        f"""
import json
from django.contrib.auth import get_user_model
from comments.models import Comment
editor = get_user_model().objects.get(username="editor")
held = Comment.objects.filter(parent_id={parent_id}, author_email__startswith="xss")
statuses = sorted(set(held.values_list("status", flat=True)))
ids = {{}}
for comment in held.filter(status="pending"):
    comment.approve(by=editor)
    ids[comment.author_email] = comment.pk
print(json.dumps({{"ids": ids, "statuses": statuses}}))
""",
    )


def test_xss_payloads_never_run_in_pages_or_emails(new_context, stack, mailbox):
    gunther_id = shell_json(
        stack,
        """
import json
from django.utils import timezone
from comments.models import Comment, Subscriber
gunther = Comment.objects.get(author_name="Gunther")
Subscriber.objects.update_or_create(
    email=gunther.author_email, defaults={"confirmed_at": timezone.now()})
print(json.dumps(gunther.pk))
""",
    )
    submissions = cases()
    assert len(body_payloads()) >= MINIMUM_PAYLOADS
    phases, problems = {}, {}

    page = new_context().new_page()
    page.goto(f"{REFERENCE_PATH}?replyto={gunther_id}#respond")
    with timed(phases, "post"):
        statuses = post_all(page, submissions)
    outcome = list(zip(submissions, statuses, strict=True))
    assert 500 not in statuses, [case for case, status in outcome if status == 500]
    refused = [(status, case) for case, status in outcome if status != 302]
    website_emails = {case["email"] for case in submissions if case["website"]}

    with timed(phases, "approve"):
        approved = approve_held_payloads(stack, gunther_id)
    ids = list(approved["ids"].values())
    assert len(ids) >= MINIMUM_PAYLOADS, (
        f"Only {len(ids)} payload comments were stored and held "
        f"(statuses {approved['statuses']}); refused: {refused[:10]}"
    )

    # The article page, as deployed (CSP on) and with CSP bypassed.
    with timed(phases, "article pages"):
        for bypass in (False, True):
            events = []
            reader = new_context(bypass_csp=bypass).new_page()
            watch(reader, events)
            reader.goto(REFERENCE_PATH)
            shown = reader.locator(".comment-replies article.comment").count()
            assert shown >= len(ids), f"Only {shown} replies shown on the article"
            assert GUNTHER_OPENING in reader.content()
            reader.locator(".comment-body").first.hover()
            found = executed(reader, events, SITE_USER_CONTENT)
            if found:
                problems[f"article page (bypass_csp={bypass})"] = found

    # The admin: the changelist with every approved payload, and change pages.
    events = []
    admin = new_context(bypass_csp=True).new_page()
    watch(admin, events)
    log_in_as_editor(admin)
    with timed(phases, "changelist"):
        admin.goto("/admin/comments/comment/?status=approved&all=")
        rows = admin.locator("#result_list tbody tr").count()
        assert rows >= len(ids), f"Only {rows} rows in the changelist"
        found = executed(admin, events, CHANGELIST_USER_CONTENT)
        if found:
            problems["admin changelist"] = found
    sample = [
        comment_id
        for i, (email, comment_id) in enumerate(approved["ids"].items())
        if email in website_emails or i % CHANGE_PAGE_STRIDE == 0
    ]
    with timed(phases, "change pages"):
        for comment_id in sample:
            admin.goto(f"/admin/comments/comment/{comment_id}/change/")
            found = executed(admin, events, CHANGE_PAGE_USER_CONTENT, settle_ms=100)
            if found:
                problems[f"change page of comment {comment_id}"] = found

    # Emails: held-comment emails to the article's author, reply emails to
    # Gunther, confirmation requests greeting the first names.
    with timed(phases, "emails"):
        mailbox.wait_for_count(
            len(ids),
            lambda m: (
                "gunther@example.org" in m.envelope_recipients
                and "#comment-" in body_text(m)
            ),
            timeout=150,
            what="reply emails to Gunther, one per approved payload",
        )
    html_parts = [(m, body_text(m, "html")) for m in list(mailbox.messages)]
    html_parts = [(m, html) for m, html in html_parts if html]
    for message, html in html_parts:
        found = active_content(html, stack.url)
        if found:
            problems[f"email {message['Subject']!r} to {message['To']}"] = found
    # Held-comment emails the worker reached after the approval are skipped
    # ("already decided"), so only some of those arrive; every reply email does.
    held_emails = [
        m for m, _ in html_parts if "dana@example.com" in m.envelope_recipients
    ]
    assert len(html_parts) >= len(ids) and held_emails, (
        f"{len(html_parts)} HTML emails ({len(held_emails)} held-comment emails) "
        f"arrived for {len(ids)} payloads"
    )

    print(
        "XSS run:",
        json.dumps(
            {
                "payload_comments": len(ids),
                "refused_by_form": len(refused),
                "change_pages": len(sample),
                "html_emails_checked": len(html_parts),
                "held_comment_emails": len(held_emails),
                "seconds": phases,
            }
        ),
    )
    assert not problems, json.dumps(problems, indent=2)[:8000]
