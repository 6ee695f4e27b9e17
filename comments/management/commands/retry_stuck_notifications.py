from django.core.management.base import BaseCommand

from comments.notify import tasks


class Command(BaseCommand):
    help = (
        "Re-enqueue notification emails a worker took but never finished (it "
        "died), after PARLEY EMAIL_STUCK_MINUTES, and mark the task rows it "
        "left running as failed. Safe to run at any time; workers also run "
        "it on a timer (EMAIL_SWEEP_SECONDS), which this command starts again "
        "if it was lost."
    )

    def handle(self, *args, **options):
        requeued = tasks.sweep()
        tasks.schedule_sweep()
        self.stdout.write(f"Re-enqueued {requeued} stuck notification(s).")
