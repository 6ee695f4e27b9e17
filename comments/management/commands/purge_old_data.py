from django.core.management.base import BaseCommand

from comments import retention


class Command(BaseCommand):
    help = (
        "Clear IP addresses and user agents from comments older than "
        "PARLEY COMMENT_IP_RETENTION_DAYS (90) and delete spam older than "
        "SPAM_RETENTION_DAYS (30), and forget used comment form tokens older "
        "than COMMENT_FORM_MAX_AGE. Run it daily, from cron or a scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the task worker instead of doing it now.",
        )

    def handle(self, *args, enqueue=False, **options):
        if enqueue:
            from comments.tasks import purge_old_data

            result = purge_old_data.enqueue()
            self.stdout.write(f"Enqueued purge_old_data (task {result.id}).")
            return
        counts = retention.purge_old_data()
        self.stdout.write(
            self.style.SUCCESS(
                "Cleared network details from {comments_cleared} comment(s) and "
                "{reports_cleared} report(s); deleted {spam_deleted} old spam "
                "comment(s) and {form_tokens_deleted} record(s) of used comment "
                "forms.".format(**counts)
            )
        )
