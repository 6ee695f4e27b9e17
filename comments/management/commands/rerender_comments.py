from django.core.management.base import BaseCommand

from comments.models import Comment, conversation_changed
from comments.sanitize import render_comment_html


class Command(BaseCommand):
    help = (
        "Render every comment's text again with the current policy in "
        "comments/sanitize.py (run it after changing the policy)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Comments read and written per query (default 500).",
        )

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            batch_size = 500
        seen = changed = 0
        batch = []
        # iterator() streams rows, so memory stays flat however many comments
        # there are; only changed rows are written back.
        rows = Comment.objects.only("pk", "article_id", "body", "body_html").order_by(
            "pk"
        )
        for comment in rows.iterator(chunk_size=batch_size):
            seen += 1
            html = render_comment_html(comment.body)
            if html != comment.body_html:
                comment.body_html = html
                batch.append(comment)
            if len(batch) >= batch_size:
                changed += self._write(batch, batch_size)
        changed += self._write(batch, batch_size)
        self.stdout.write(f"Re-rendered {seen} comments: {changed} changed.")

    def _write(self, batch, batch_size):
        count = len(batch)
        if batch:
            Comment.objects.bulk_update(batch, ["body_html"], batch_size=batch_size)
            # bulk_update skips Comment.save(): retire the cached pages here.
            for article_id in {comment.article_id for comment in batch}:
                conversation_changed(article_id)
            batch.clear()
        return count
