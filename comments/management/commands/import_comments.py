"""python manage.py import_comments FILE: bring a WordPress or Disqus export's conversations in."""

import os
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from comments.importing.exports import read_export
from comments.importing.records import ExportError, ImportedThread
from comments.importing.writer import ImportWriter


class Command(BaseCommand):
    help = (
        "Import the comments of a WordPress export (WXR) or a Disqus export. "
        "Running it again imports nothing twice; no email is sent."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The export: an XML file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be imported, and write nothing.",
        )
        parser.add_argument(
            "--skip-pingbacks",
            action="store_true",
            help="Leave pingbacks and trackbacks out (by default they are imported "
            "as such, never as people's comments).",
        )
        parser.add_argument(
            "--author",
            help="Username of the author of the articles created for posts that "
            "are not here yet (default: the first superuser).",
        )

    def handle(self, *args, file, dry_run, skip_pingbacks, author, **options):
        try:
            size = os.path.getsize(file)
            stream = open(file, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        try:
            with stream, self.progress(stream, size) as reading:
                writer = self.run(
                    reading, self.article_author(author), skip_pingbacks, dry_run
                )
        except ExportError as error:
            raise CommandError(f"{file}: {error} Nothing was imported.") from error
        self.report(writer, dry_run)

    def run(self, stream, author, skip_pingbacks, dry_run):
        with transaction.atomic():
            kind, records = read_export(stream)
            writer = ImportWriter(source=kind, author=author, skip_links=skip_pingbacks)
            for record in records:
                if isinstance(record, ImportedThread):
                    writer.add_thread(record)
                else:
                    writer.add_comment(record)
            writer.finish()
            if dry_run:
                # Everything was written, so the report is exact; none of it stays.
                transaction.set_rollback(True)
        return writer

    def progress(self, stream, size):
        """Wrap `stream` so a terminal shows a bar of the bytes read; elsewhere, nothing."""
        return tqdm.wrapattr(
            stream,
            "read",
            total=size,
            desc="Reading",
            unit="B",
            unit_scale=True,
            disable=not sys.stderr.isatty(),
        )

    def article_author(self, username):
        users = get_user_model().objects
        if username:
            try:
                return users.get(username=username)
            except users.model.DoesNotExist:
                raise CommandError(f"There is no user {username!r}.") from None
        author = users.filter(is_superuser=True).order_by("pk").first()
        if author is None:
            raise CommandError(
                "Name the author of the articles this import may create: --author USERNAME."
            )
        return author

    def report(self, writer, dry_run):
        self.stdout.write(
            f"{'Dry run: nothing was written. ' if dry_run else ''}"
            f"Imported from a {writer.source} export:"
        )
        for heading, counter in (
            ("Imported", writer.counts),
            ("Skipped", writer.skipped),
            ("Noted", writer.notes),
        ):
            for label, number in sorted(counter.items()):
                if number:
                    self.stdout.write(f"  {heading}: {number} {label}")
