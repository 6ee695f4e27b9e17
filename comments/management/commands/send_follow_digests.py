import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments import following


class Command(BaseCommand):
    help = (
        "Put in the outbox the daily digest of each follower who chose one email "
        "a day: the comments published on the article they follow yesterday (in "
        "TIME_ZONE), or on --date. The worker sends them. Run it daily from cron, "
        "shortly after midnight; running it again for the same day sends nothing "
        "twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="The day to send, as YYYY-MM-DD (default: yesterday)."
        )

    def handle(self, *args, date=None, **options):
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(
                    f"--date must be a day like 2026-12-03, not {date!r}."
                ) from error
        else:
            day = timezone.localdate() - datetime.timedelta(days=1)
        scheduled = following.schedule_digests(day)
        self.stdout.write(
            self.style.SUCCESS(f"Queued {scheduled} digest email(s) for {day}.")
        )
