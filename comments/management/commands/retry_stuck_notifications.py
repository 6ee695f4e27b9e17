from django.core.management.base import BaseCommand

from comments.notify import tasks


class Command(BaseCommand):
    help = (
        "Re-enqueue notification emails a worker took but never finished (it "
        "died), after PARLEY EMAIL_STUCK_MINUTES. Safe to run at any time; "
        "workers also run it after sending, at most once a minute."
    )

    def handle(self, *args, **options):
        requeued = tasks.requeue_stuck()
        self.stdout.write(f"Re-enqueued {requeued} stuck notification(s).")
