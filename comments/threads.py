"""What the conversation under an article shows: a page of its threads, with the featured comments above.

Top-level threads are paged, oldest or newest first. A page costs two queries
whatever its size: the ids of its top-level comments, then every comment the
public sees in those threads (with, on the first page, the featured ones,
whose threads are found by a third when there are any).
Comments arrive in path order, which is already the depth-first order of the
threads (oldest first at every level), so the threads are built in one pass
into a flat list: each entry knows its level and whether a list of replies
opens after it or how many lists close. The template loops once; no template
is included recursively per reply.

Comments are read as plain rows (values(), no model instances) and the few
values the template shows that are not columns are added once per comment by
shown_comment(); the template is rendered by Jinja2 (config/jinja2.py).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone

from comments.avatars import initials_avatar
from comments.cache import Fragment, fragment_key
from comments.helpful import marked_comment_ids
from comments.models import PATH_DIGITS, Comment, visible_comment_ids
from comments.sanitize import shown_name

OLDEST, NEWEST = "oldest", "newest"
# Threads whose top-level comment most readers' networks marked helpful
# first (comments.helpful), then oldest first.
HELPFUL = "helpful"
ROOT_ORDERING = {
    OLDEST: ("path",),
    NEWEST: ("-path",),
    HELPFUL: ("-helpful_count", "path"),
}
# Far beyond any real page; keeps a tampered ?cpage= from overflowing OFFSET.
MAX_PAGE = 100_000
# A comment id no other part of a URL contains.
_ANY_ID = 4_294_967_291
_BADGE_LABELS = {badge: badge.label for badge in Comment.Badge if badge}
# Imported pingbacks and trackbacks say what they are: links, not people.
_LINK_KINDS = {Comment.Kind.PINGBACK: "Pingback", Comment.Kind.TRACKBACK: "Trackback"}
# Times read "1 March 2025, 12:03" in English whatever the server's locale;
# spelled out rather than strftime("%B"), which costs more than all the rest
# of a comment's values.
MONTH_NAMES = (
    "", "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
# The columns comments/comment.html shows, beside what shown_comment() adds.
SHOWN_FIELDS = (
    "id", "article_id", "parent_id", "path", "status", "author_name",
    "author_website", "badge", "body_html", "created_at", "is_featured",
    "is_removed", "edited_at", "deleted_by_writer", "helpful_count",
    "in_reply_to_id", "kind",
)  # fmt: skip


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

    @property
    def reply_url(self):
        """Return the address of a "Reply" link, "{}" for the comment's id: back to this page without JavaScript."""
        query = f"&cpage={self.number}" if self.number > 1 else ""
        if self.order != OLDEST:
            query += f"&order={self.order}"
        return f"?replyto={{}}{query}#respond"


def threads_per_page():
    return settings.PARLEY["COMMENT_THREADS_PER_PAGE"]


def parse_order(value):
    return value if value in (NEWEST, HELPFUL) else OLDEST


def parse_page(value):
    """Return a page number from ?cpage=, 1 for anything that is not one."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def load_thread_page(article, *, number=1, order=OLDEST, pending=()):
    """Return one page of the article's top-level threads with their replies; None past the last page.

    The first page always exists, even with no comments. `pending` are rows
    of the visitor's own held comments, shown in place and marked as
    awaiting moderation.
    """
    per_page = threads_per_page()
    approved = Comment.objects.approved().filter(article=article)
    offset = (number - 1) * per_page
    # The first page shows the featured comments: whether there are any is
    # asked in the same query, for most articles have none, and their
    # threads are then read by their paths alone.
    any_featured = (
        Exists(approved.filter(is_featured=True)) if number == 1 else Value(False)
    )
    roots = list(
        approved.filter(parent=None)
        .order_by(*ROOT_ORDERING[order])
        .values_list("pk", any_featured)[offset : offset + per_page + 1]
    )
    if not roots and number > 1:
        return None
    root_ids = [pk for pk, _ in roots]
    zone = get_current_timezone()
    in_threads, featured = [], []
    if root_ids:
        in_threads, featured = _read_threads(
            approved,
            root_ids[:per_page],
            with_featured=roots[0][1],
            zone=zone,
            by_path=order != HELPFUL,
        )
    return ThreadPage(
        entries=build_threads(
            in_threads,
            newest_first=order == NEWEST,
            pending=[shown_comment(row, zone) for row in pending],
            thread_order=root_ids if order == HELPFUL else None,
        ),
        featured=featured,
        number=number,
        order=order,
        has_next=len(root_ids) > per_page,
    )


def _read_threads(approved, root_ids, *, with_featured, zone, by_path=True):
    """Return the shown rows of the threads `root_ids` and of the featured comments, in path order.

    `approved` are the article's approved comments; only those the public
    sees are returned. `by_path`: the threads are consecutive in path order
    (oldest or newest first), not picked out by their helpful counts.
    """
    # The page's threads are one run of paths: from its first top-level
    # comment up to (not including) the path of the next id after its last.
    low, high = (f"{pk:0{PATH_DIGITS}d}" for pk in (min(root_ids), max(root_ids) + 1))
    wanted = Q(path__gte=low, path__lt=high)
    roots = {f"{pk:0{PATH_DIGITS}d}" for pk in root_ids}
    if not by_path:
        wanted = Q(pk__in=root_ids) | Q(root_id__in=root_ids)
    if with_featured:
        # Shown first on the first page, from whichever page they are on:
        # their threads are read whole too, to know whether the public sees
        # them. Their ids are asked for first: as a list, not a subquery, they
        # let the database find those threads by its indexes.
        featured_threads = list(
            approved.filter(is_featured=True).values_list(
                Coalesce("root_id", "id"), flat=True
            )
        )
        wanted |= Q(pk__in=featured_threads) | Q(root_id__in=featured_threads)
    rows = list(approved.filter(wanted).values(*SHOWN_FIELDS).order_by("path"))
    visible = visible_comment_ids((row["id"], row["parent_id"]) for row in rows)
    in_threads, featured = [], []
    # Names of the comments seen so far: a reply placed beside the comment
    # it answers (the depth limit) comes after it, and says whom it answers.
    names = {}
    for row in rows:
        if row["id"] not in visible:
            continue
        names[row["id"]] = row_name(row)
        row["answers_name"] = names.get(row["in_reply_to_id"], "")
        if by_path:
            on_page = low <= row["path"] < high
        else:
            on_page = row["path"][:PATH_DIGITS] in roots
        shown_first = with_featured and row["is_featured"]
        if on_page or shown_first:
            shown_comment(row, zone)
        if on_page:
            in_threads.append(row)
        if shown_first:
            featured.append(row)
    return in_threads, featured


def build_threads(comments, *, newest_first=False, pending=(), thread_order=None):
    """Return `comments` (rows of whole threads in path order) in display order, each placed in its thread.

    Each gets its `level` (0 for a top-level comment), whether a list of
    replies opens after it (`opens_replies`) and one item in `closes` per list
    of replies that ends after it. The visitor's own `pending` comments take
    their place under their parent, or at the end of the top-level list (the
    start when newest first) when their parent is not on the page.
    `thread_order` lists the top-level ids in the order their threads are shown.
    """
    if pending:
        comments = sorted([*comments, *pending], key=lambda comment: comment["path"])
    levels = {}
    entries, orphans = [], []
    for comment in comments:
        parent_id = comment["parent_id"]
        if parent_id is None:
            comment["level"] = 0
        elif parent_id in levels:
            comment["level"] = levels[parent_id] + 1
        else:
            comment["level"] = 0
            orphans.append(comment)
            continue
        levels[comment["id"]] = comment["level"]
        entries.append(comment)
    if newest_first:
        entries = [*orphans, *_newest_threads_first(entries)]
    elif thread_order is not None:
        entries = [*_threads_in_order(entries, thread_order), *orphans]
    else:
        entries.extend(orphans)
    next_levels = [comment["level"] for comment in entries[1:]] + [0]
    for comment, next_level in zip(entries, next_levels, strict=False):
        comment["opens_replies"] = next_level > comment["level"]
        comment["closes"] = range(max(comment["level"] - next_level, 0))
    return entries


def _split_threads(entries):
    """Return `entries` (levelled, in display order) as one list per top-level thread."""
    threads = []
    for comment in entries:
        if comment["level"] == 0:
            threads.append([])
        threads[-1].append(comment)
    return threads


def _newest_threads_first(entries):
    threads = reversed(_split_threads(entries))
    return [comment for thread in threads for comment in thread]


def _threads_in_order(entries, root_ids):
    rank = {pk: position for position, pk in enumerate(root_ids)}
    threads = _split_threads(entries)
    threads.sort(key=lambda thread: rank.get(thread[0]["id"], len(rank)))
    return [comment for thread in threads for comment in thread]


def shown_comment(row, zone):
    """Add to a comment's row (its SHOWN_FIELDS) the values the template shows that are not columns; return it.

    `zone` is the time zone the page shows times in.
    """
    removed = row["is_removed"]
    website = row["author_website"]
    created = row["created_at"].astimezone(zone)
    row.update(
        created_iso=created.isoformat(timespec="seconds"),
        created_display=(
            f"{created.day} {MONTH_NAMES[created.month]} {created.year},"
            f" {created.hour:02}:{created.minute:02}"
        ),
        anchor=f"comment-{row['id']}",
        awaiting_moderation=row["status"] == Comment.Status.PENDING,
        display_name=row_name(row),
        edited=bool(row["edited_at"]) and not removed,
        avatar=initials_avatar("" if removed else row["author_name"]),
        # Forms accept only http(s) websites; anything else stored (an old
        # row, an edit) is shown as plain text rather than trusted as a link.
        website_url=website
        if not removed and website.lower().startswith(("http://", "https://"))
        else "",
        badge_label=_BADGE_LABELS.get(row["badge"], "") if not removed else "",
        link_kind=_LINK_KINDS.get(row["kind"], ""),
    )
    return row


def row_name(row):
    return shown_name(
        row["author_name"],
        is_removed=row["is_removed"],
        deleted_by_writer=row["deleted_by_writer"],
    )


def render_threads(
    article, *, number, order, comments_open, pending=(), editable=frozenset()
):
    """Return the HTML of one page of the article's threads; None past the last page.

    `editable` are the ids of the reader's own comments that they may still
    edit or delete: such a page is theirs alone, never cached.
    """
    page = load_thread_page(article, number=number, order=order, pending=pending)
    if page is None:
        return None
    context = {
        "page": page,
        "comments_open": comments_open,
        "reply_url": page.reply_url,
        "report_url": url_pattern("comments:report"),
        "helpful_url": url_pattern("comments:helpful"),
        "editable": editable,
    }
    if editable:
        context["edit_url"] = url_pattern("comments:edit")
    return mark_safe(  # noqa: S308 - rendered by Jinja2, which escapes every value
        render_to_string("comments/threads.html", context)
    )


def url_pattern(name):
    """Return the address of the per-comment view `name` with "{}" for the comment's id.

    One reverse() per page, not one per comment: it would cost a fifth of the
    rendering of a long page.
    """
    return reverse(name, args=[_ANY_ID]).replace(str(_ANY_ID), "{}")


def render_preview(comment):
    """Return the HTML of the preview of `comment`, a Comment not saved yet, as the page will show it."""
    row = shown_comment(
        {name: getattr(comment, name) for name in SHOWN_FIELDS},
        get_current_timezone(),
    )
    return mark_safe(  # noqa: S308 - rendered by Jinja2, which escapes every value
        render_to_string("comments/preview.html", {"comment": row})
    )


def conversation_context(request, article, *, pending=(), editable=frozenset()):
    """Return the fragment that draws this request's page of threads, and the rest of the conversation's template context.

    Every reader is shown the same threads, kept in the cache, but a visitor
    with comments of their own waiting for moderation (`pending`) or still
    open to their edits (`editable`): that page is theirs alone, rendered for
    them and never stored. The fragment draws None for a page of threads past
    the last.
    """
    order = parse_order(request.GET.get("order"))
    if "comment" in request.GET:
        number = comment_page_number(article, request.GET["comment"], order)
    else:
        number = parse_page(request.GET.get("cpage"))
    wanted = {"number": number, "order": order, "comments_open": article.comments_open}
    threads = Fragment(
        None if pending or editable else fragment_key(article, **wanted),
        lambda: render_threads(article, **wanted, pending=pending, editable=editable),
    )
    return threads, {
        "comment_order": order,
        # The reader's own marks, from their cookie: the page's script shows them.
        "helpful_marked": marked_comment_ids(request),
    }


def comment_page_number(article, comment_id, order=OLDEST):
    """Return the page of threads that holds comment `comment_id` (1 when unknown), in one query."""
    try:
        comment_id = int(comment_id)
    except ValueError:
        return 1
    if not 0 < comment_id < 2**63:
        return 1
    thread = Comment.objects.filter(article=article, pk=comment_id).values(
        thread_id=Coalesce("root_id", "id")
    )
    root = Comment.objects.filter(pk=Subquery(thread[:1]))
    root_path = Subquery(root.values("path")[:1])
    if order == HELPFUL:
        root_count = Subquery(root.values("helpful_count")[:1])
        is_before = Q(helpful_count__gt=root_count) | Q(
            helpful_count=root_count, path__lt=root_path
        )
    else:
        is_before = Q(**{"path__gt" if order == NEWEST else "path__lt": root_path})
    before = (
        Comment.objects.approved()
        .filter(article=article, parent=None)
        .filter(is_before)
        .count()
    )
    return min(before // threads_per_page() + 1, MAX_PAGE)
