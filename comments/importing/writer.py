"""Writing what an export holds: articles matched or created, comments stored through the Comment model.

Every comment keeps its export's key (`Comment.import_key`), so a second run
finds what the first stored and imports nothing twice. Replies are attached
where a reply posted today would be (comments.nesting.reply_placement), and
one flattened at the deepest level keeps whom it answers. Nothing here sends
email: the comments are saved, never submitted or moderated, so no
"published" or "submitted" signal goes out.
"""

import ipaddress
from collections import Counter, defaultdict
from dataclasses import replace

from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article
from comments.models import MAX_NAME_LENGTH, MAX_WEBSITE_LENGTH, Comment
from comments.moderation_log import Action, record_change
from comments.nesting import reply_placement

STATUSES = {
    "approved": Comment.Status.APPROVED,
    "pending": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REJECTED,
}
STATE_LABELS = {
    "approved": "published",
    "pending": "waiting for moderation",
    "spam": "spam",
    "trash": "from the trash, stored as rejected",
}
ANONYMOUS = "Anonymous"


class ImportWriter:
    """Store the records a reader yields, in the order it yields them; count what happened."""

    def __init__(self, *, source, author, skip_links=False):
        self.source = source
        self.author = author
        self.skip_links = skip_links
        self.threads = {}
        self.latest_thread = None
        self.threads_with_comments = set()
        self.articles = {}
        self.waiting = defaultdict(list)  # parent key -> replies read before it
        self.counts = Counter()
        self.skipped = Counter()
        self.notes = Counter()

    def add_thread(self, thread):
        # Every thread is remembered, for comments that name it later, but
        # only the latest one's body: an export's comments follow their post,
        # and a thousand post bodies must not stay in memory.
        self.threads[thread.key] = replace(thread, body_html="")
        self.latest_thread = thread

    def add_comment(self, record):
        self.threads_with_comments.add(record.thread_key)
        if record.kind != "comment" and self.skip_links:
            self.skipped[f"{record.kind}s (--skip-pingbacks)"] += 1
            return
        if record.parent_key and not self.stored(record.parent_key):
            self.waiting[record.parent_key].append(record)
            return
        self.store(record)

    def finish(self):
        """Store the replies whose parent never came: at the top of their thread."""
        while self.waiting:
            _parent_key, orphans = self.waiting.popitem()
            for record in orphans:
                self.store(record)
        self.skipped["posts and pages without comments"] = len(
            set(self.threads) - self.threads_with_comments
        )

    def stored(self, key):
        return Comment.objects.filter(import_key=key).exists()

    def store(self, record):
        if self.stored(record.key):
            self.skipped["already imported"] += 1
        elif not record.body.strip():
            self.skipped["empty comments"] += 1
        elif (article := self.article_for(record.thread_key)) is None:
            self.skipped["comments of a post that is not in the file"] += 1
        else:
            self.save_comment(record, article)
        for reply in self.waiting.pop(record.key, []):
            self.store(reply)

    def save_comment(self, record, article):
        parent = answers = None
        if record.parent_key:
            answered = Comment.objects.filter(import_key=record.parent_key).first()
            if answered is None:
                # Not in the file, or skipped (empty, of a missing post).
                self.notes["replies whose parent was not imported: top-level"] += 1
            else:
                parent, answers = reply_placement(answered)
        status = STATUSES[record.state]
        created_at = record.created_at
        if created_at is None:
            self.notes["comments without a date: dated today"] += 1
            created_at = timezone.now()
        for note in record.notes:
            self.notes[note] += 1
        comment = Comment(
            article=article,
            parent=parent,
            in_reply_to=answers,
            kind=record.kind,
            import_key=record.key,
            author_name=(" ".join(record.author_name.split()) or ANONYMOUS)[
                :MAX_NAME_LENGTH
            ],
            author_email=record.author_email,
            author_website=self.website(record.author_website),
            ip_address=self.ip_address(record.ip_address),
            body=record.body.strip(),
            status=status,
            status_reason=f"Imported from {self.source}"
            + (": it was in the trash" if record.state == "trash" else ""),
            created_at=created_at,
            published_at=created_at if status == Comment.Status.APPROVED else None,
        )
        comment.save()
        state = STATE_LABELS[record.state]
        record_change(
            comment,
            Action.IMPORTED,
            message=f"Imported from {self.source}: {state} there.",
        )
        self.counts[f"{record.kind}s {state}"] += 1

    def website(self, url):
        if len(url) > MAX_WEBSITE_LENGTH or not url.startswith(("http://", "https://")):
            if url:
                self.notes[
                    "websites dropped (not an http(s) address, or too long)"
                ] += 1
            return ""
        return url

    def ip_address(self, value):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return None

    def article_for(self, thread_key):
        """Return the article of a thread: matched by its old address or slug, or created as a draft."""
        if thread_key in self.articles:
            return self.articles[thread_key]
        thread = self.threads.get(thread_key)
        if thread is None:
            return None
        if self.latest_thread is not None and self.latest_thread.key == thread_key:
            thread = self.latest_thread
        article = (
            Article.objects.filter(old_url=thread.link).first() if thread.link else None
        )
        if article is None and thread.slug:
            article = Article.objects.filter(slug=slugify(thread.slug)).first()
        if article is not None:
            self.counts["articles matched"] += 1
        else:
            article = Article.objects.create(
                title=(thread.title or thread.slug or "Imported conversation")[:200],
                slug=slugify(thread.slug)[:220] or "",
                author=self.author,
                body=thread.body_html,
                old_url=thread.link,
            )
            self.counts["articles created as drafts"] += 1
        self.articles[thread_key] = article
        return article
