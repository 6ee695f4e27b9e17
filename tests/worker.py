"""Run the django-tasks-db queue inside a test, the way `manage.py db_worker --batch` does."""

from unittest import mock

from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks(*, max_tasks=None):
    """Run every task that is ready now with the real worker loop; return how many ran.

    The loop's close_old_connections() is skipped: inside a test's transaction
    it would close the connection the test is using.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    before = DBTaskResult.objects.finished().count()
    with mock.patch(
        "django_tasks_db.management.commands.db_worker.close_old_connections"
    ):
        worker.run()
    return DBTaskResult.objects.finished().count() - before
