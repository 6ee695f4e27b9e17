"""What the conversation under an article shows, built from one ordered query.

Comments arrive in path order, which is already the depth-first order of the
threads (oldest first at every level), so the tree is built in one pass and
rendered as a flat list: each entry knows its level, whether a list of replies
opens after it and which lists close after it. The template loops once; no
template is included recursively per reply.

Top-level threads are paged. A page costs two queries whatever its size: the
ids of the page's top-level comments, then every approved comment of those
threads (plus the featured comments shown above them on the first page).

Speed: an article page with hundreds of comments must render in a few
milliseconds. Rows are read as plain dicts (no model instances), everything
the comment template prints is prepared here once as a ready string, and
comments.render turns them into HTML.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.safestring import SafeString

from comments.avatars import initials_avatar
from comments.cache import cached_fragment, fragment_key
from comments.models import Comment, visible_comment_ids
from comments.render import render_comments
from comments.thread_sql import ROW_FIELDS, approved_ids, page_root_ids, thread_rows

OLDEST, NEWEST = "oldest", "newest"
# Far beyond any real page; keeps a tampered ?cpage= from overflowing OFFSET.
MAX_PAGE = 100_000
OWN_COMMENTS_COOKIE = "parley_own_comments"
OWN_COMMENTS_SALT = "parley.own-comments"
OWN_COMMENTS_KEPT = 20
_OPEN_REPLIES = '<ol class="comment-replies">'
_CLOSE_REPLIES = "</ol></li>"
_BADGES = dict(Comment.Badge.choices)
_URL_ID = 4_294_967_291  # a number no other part of a URL contains


@dataclass
class ThreadPage:
    """One page of an article's conversation, ready to render."""

    entries: list = field(default_factory=list)
    featured: list = field(default_factory=list)
    number: int = 1
    order: str = OLDEST
    has_next: bool = False

    @property
    def has_previous(self):
        return self.number > 1


def threads_per_page():
    return settings.PARLEY.get("COMMENT_THREADS_PER_PAGE", 50)


def parse_order(value):
    return NEWEST if value == NEWEST else OLDEST


def parse_page(value):
    """Return a page number from ?cpage=, 1 for anything that is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def own_comment_ids(request):
    """Return the ids of the comments this browser posted, from its signed cookie (see remember_own_comment)."""
    value = request.get_signed_cookie(
        OWN_COMMENTS_COOKIE,
        default="",
        salt=OWN_COMMENTS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
    )
    return [int(part) for part in value.split(",") if part.isascii() and part.isdigit()]


def remember_own_comment(request, response, comment_id):
    """Let this browser see its comment in place while it waits for moderation.

    Kept in a signed cookie, not the session: posting a comment then stores
    nothing but the comment, and the page knows the visitor has comments of
    their own without reading a session.
    """
    keep_own_comment_ids(response, [*own_comment_ids(request), comment_id])


def keep_own_comment_ids(response, ids):
    """Set this browser's own-comments cookie to the last of `ids`; remove it when there are none."""
    if not ids:
        # Without it the visitor is a plain reader again, served the page
        # their web process keeps (articles.local_pages).
        response.delete_cookie(OWN_COMMENTS_COOKIE, samesite="Lax")
        return
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE,
        ",".join(map(str, ids[-OWN_COMMENTS_KEPT:])),
        salt=OWN_COMMENTS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def own_waiting_rows(ids):
    """Return the rows of those comments `ids` still waiting for moderation, on any article, in path order."""
    if not ids:
        return []
    return list(
        Comment.objects.pending()
        .filter(pk__in=ids)
        .order_by("path")
        .values(*ROW_FIELDS, "article_id")
    )


def load_thread_page(article, *, number=1, order=OLDEST, pending=()):
    """Return one page of the article's top-level threads, with their replies.

    `pending` are rows of the visitor's own held comments, shown in place and
    marked as awaiting moderation.
    """
    per_page = threads_per_page()
    root_ids = page_root_ids(
        article.pk,
        newest_first=order == NEWEST,
        offset=(number - 1) * per_page,
        limit=per_page + 1,
    )
    has_next = len(root_ids) > per_page
    page_roots = set(root_ids[:per_page])

    # The page's threads are one run of paths: from its first top-level
    # comment up to (not including) the next id after the last one. Paths are
    # zero-padded ids as Comment._build_path writes them.
    path_range = None
    if page_roots:
        first, last = min(page_roots), max(page_roots)
        path_range = (f"{first:010d}", f"{last + 1:010d}")
    rows = thread_rows(article.pk, path_range=path_range, with_featured=number == 1)
    on_page, elsewhere = [], []
    for row in rows:
        if (row["root_id"] or row["id"]) in page_roots:
            on_page.append(row)
        elif row["is_featured"]:
            elsewhere.append(row)

    entries, featured = build_threads(
        on_page, newest_first=order == NEWEST, pending=pending
    )
    if number == 1:
        featured = sorted(
            [*featured, *_visible_elsewhere(elsewhere)], key=lambda row: row["path"]
        )
    else:
        featured = []
    # Featured rows from this page are entries too: prepared once, by id.
    prepare_rows(
        {row["id"]: row for row in [*entries, *featured]}.values(),
        number=number,
        order=order,
    )
    return ThreadPage(
        entries=entries,
        featured=featured,
        number=number,
        order=order,
        has_next=has_next,
    )


def _visible_elsewhere(rows):
    """Return those featured `rows` from threads on other pages that the public may see.

    Their threads are not loaded, so their ancestors' ids are read from their
    paths and checked in one query (only when there is such a reply).
    """
    ancestors = {
        row["id"]: [int(segment) for segment in row["path"].split("/")[:-1]]
        for row in rows
    }
    needed = {pk for ids in ancestors.values() for pk in ids}
    approved = approved_ids(needed)
    return [row for row in rows if approved.issuperset(ancestors[row["id"]])]


def build_threads(rows, *, newest_first=False, pending=()):
    """Return (entries, featured) for approved `rows` of whole threads in path order.

    Entries are the visible comments in display order, each given its `level`
    (0 for a top-level comment). A reply whose
    ancestor is not approved is hidden with its whole subtree. The visitor's
    own `pending` comments take their place under a visible parent, or at the
    end of the top-level list (the start when newest first) when their parent
    is not shown.
    """
    if pending:
        rows = sorted([*rows, *pending], key=lambda row: row["path"])
    visible = visible_comment_ids((row["id"], row["parent_id"]) for row in rows)
    levels = {}
    entries, featured, orphans = [], [], []
    for row in rows:
        pending_row = row["status"] != Comment.Status.APPROVED
        if row["id"] not in visible:
            if pending_row:
                orphans.append(row)
            continue
        parent_id = row["parent_id"]
        levels[row["id"]] = level = 0 if parent_id is None else levels[parent_id] + 1
        row["level"] = level
        entries.append(row)
        if row["is_featured"] and not pending_row:
            featured.append(row)
    for row in orphans:
        row["level"] = 0
    if newest_first:
        entries = _newest_threads_first(entries)
        entries[:0] = orphans
    else:
        entries.extend(orphans)
    return entries, featured


def prepare_rows(rows, *, number=1, order=OLDEST):
    """Add to each comment row the ready strings the comment template prints.

    `number` and `order` are the page the rows are shown on: "Reply" without
    JavaScript comes back to it.
    """
    shared = _PageShared.current(number, order)
    for row in rows:
        _prepare(row, shared)


def thread_list_html(entries, *, comments_open):
    """Return the <li> items of the threads: each comment, its replies nested in <ol>."""
    html = render_comments(entries, comments_open=comments_open)
    out = []
    last = len(entries) - 1
    for index, (row, comment_html) in enumerate(zip(entries, html, strict=True)):
        next_level = entries[index + 1]["level"] if index < last else 0
        out.append("<li>")
        out.append(comment_html)
        if next_level > row["level"]:
            out.append(_OPEN_REPLIES)
        else:
            out.append("</li>")
            out.append(_CLOSE_REPLIES * (row["level"] - next_level))
        out.append("\n")
    return SafeString("".join(out))


def featured_list_html(featured, *, comments_open):
    """Return the <li> items of the featured comments (copies, their anchors renamed)."""
    html = render_comments(featured, comments_open=comments_open, featured_copy=True)
    return SafeString("".join(f"<li>{item}</li>\n" for item in html))


def _newest_threads_first(entries):
    threads = []
    for row in entries:
        if row["level"] == 0:
            threads.append([])
        threads[-1].append(row)
    return [row for thread in reversed(threads) for row in thread]


def _prepare(row, shared):
    removed = row["is_removed"]
    row["anchor"] = f"comment-{row['id']}"
    row["reply_url"] = f"?replyto={row['id']}{shared.page_query}#respond"
    row["awaiting_moderation"] = row["status"] == Comment.Status.PENDING
    row["display_name"] = "[removed]" if removed else row["author_name"]
    row["initials"], row["avatar_class"] = initials_avatar(
        "" if removed else row["author_name"]
    )
    # Forms accept only http(s) websites; anything else stored (an old row,
    # an edit) is shown as plain text rather than trusted as a link.
    website = row["author_website"]
    row["website_url"] = (
        website
        if not removed and website.lower().startswith(("http://", "https://"))
        else ""
    )
    badge = row["badge"]
    row["badge_label"] = _BADGES[badge] if badge and not removed else ""
    created = row["created_at"].astimezone(shared.zone)
    row["created_iso"] = created.isoformat(timespec="seconds")
    # The format of Django's date filter "j F Y, H:i", without its cost.
    row["created_display"] = (
        f"{created.day} {shared.months[created.month]} {created.year}, "
        f"{created.hour:02d}:{created.minute:02d}"
    )
    row["report_url"] = shared.report_url % row["id"]


@dataclass
class _PageShared:
    """What every comment of a page shares: looked up once per page, not per comment."""

    zone: object
    months: dict
    report_url: str
    page_query: str

    @classmethod
    def current(cls, number, order):
        # One reverse() per page instead of one per comment, which alone
        # would cost a sixth of the rendering time of a long conversation.
        url = reverse("comments:report", args=[_URL_ID])
        page_query = f"&cpage={number}" if number > 1 else ""
        if order == NEWEST:
            page_query += f"&order={NEWEST}"
        return cls(
            zone=timezone.get_current_timezone(),
            months={number: str(name) for number, name in MONTHS.items()},
            report_url=url.replace("%", "%%").replace(str(_URL_ID), "%s"),
            page_query=page_query,
        )


def display_comment(comment):
    """Return the row the comment template shows for one Comment (a preview, say)."""
    row = {name: getattr(comment, name) for name in ROW_FIELDS}
    row["level"] = 0
    prepare_rows([row])
    return row


def comment_page_number(article, comment_id, order=OLDEST):
    """Return the page of threads that holds comment `comment_id` (1 when unknown), in one query."""
    thread = Comment.objects.filter(article=article, pk=comment_id).values(
        thread_id=Coalesce("root_id", "id")
    )
    root_path = Comment.objects.filter(pk=Subquery(thread[:1])).values("path")
    path_is_before = "path__gt" if order == NEWEST else "path__lt"
    before = (
        Comment.objects.approved()
        .filter(article=article, parent__isnull=True)
        .filter(**{path_is_before: Subquery(root_path[:1])})
        .count()
    )
    return min(before // threads_per_page() + 1, MAX_PAGE)


@dataclass
class ConversationRequest:
    """Which rendering of an article's conversation a request asks for."""

    order: str
    number: int
    comments_open: bool
    pending: list
    # The fragment cache key; None when the visitor has comments of their
    # own waiting for moderation (that page is theirs alone, never stored).
    key: str | None
    # The visitor's own comments still waiting anywhere, when fewer than the
    # cookie lists (the rest were moderated): the cookie to set on the page.
    own_comment_ids: list | None = None


def conversation_request(request, article):
    """Return what the conversation of this request depends on, and its cache key."""
    order = parse_order(request.GET.get("order"))
    if "comment" in request.GET:
        number = _comment_page(article, request.GET["comment"], order)
    else:
        number = parse_page(request.GET.get("cpage"))
    comments_open = article.comments_open
    own_ids = own_comment_ids(request)
    waiting = own_waiting_rows(own_ids)
    pending = [row for row in waiting if row["article_id"] == article.pk]
    key = None
    if not pending:
        key = fragment_key(article, order=order, page=number, open=comments_open)
    wanted = ConversationRequest(order, number, comments_open, pending, key)
    waiting_ids = {row["id"] for row in waiting}
    if waiting_ids != set(own_ids):
        wanted.own_comment_ids = [pk for pk in own_ids if pk in waiting_ids]
    return wanted


def conversation_context(request, article, wanted=None):
    """Return the template context of an article's conversation for this request.

    The threads come from the fragment cache unless the visitor has comments
    of their own waiting for moderation: those are shown to them alone, so
    that page is rendered for them and never stored. `wanted` is this
    request's conversation_request(), when the caller has it already.
    """
    wanted = wanted or conversation_request(request, article)
    number, order, comments_open = wanted.number, wanted.order, wanted.comments_open

    def render():
        page = load_thread_page(
            article, number=number, order=order, pending=wanted.pending
        )
        context = {
            "page": page,
            "threads_html": thread_list_html(page.entries, comments_open=comments_open),
            "featured_html": featured_list_html(
                page.featured, comments_open=comments_open
            ),
        }
        return render_to_string("comments/threads.html", context)

    html = render() if wanted.key is None else cached_fragment(wanted.key, render)
    return {"conversation_html": html, "comment_order": order, "comment_page": number}


def _comment_page(article, value, order):
    try:
        comment_id = int(value)
    except ValueError:
        return 1
    if not 0 < comment_id < 2**63:
        return 1
    return comment_page_number(article, comment_id, order)
