import signal
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the development server and a task worker together (for `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        # The worker sends the emails; without it `make run` would queue mail
        # that never shows up.
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5"]
        )

        def stop(signum, frame):
            # SIGTERM would otherwise end this process and orphan the worker.
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
