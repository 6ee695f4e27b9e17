"""Background work of the comments app, run by the worker (`manage.py run_worker`, django-tasks-db's `db_worker` restarted after database errors).

The email tasks live with the outbox they work on, in comments.notify.tasks;
the retention sweep is here.
"""

from django.tasks import task

from comments import retention
from comments.models import conversation_changed

# A queued task row stores the dotted path of its function, and the worker
# imports that path to run it. Rows queued by releases that defined the email
# tasks in this module name comments.tasks.send_notification and
# comments.tasks.retry_stuck_notifications: these names keep such rows
# runnable, so their emails go out on time after a deploy instead of failing
# and waiting for the stuck-email sweep (EMAIL_STUCK_MINUTES).
from comments.notify.tasks import (  # noqa: F401
    retry_stuck_notifications,
    send_notification,
)


@task(priority=-10)
def purge_old_data():
    """Apply the retention rules; return what was cleared and deleted."""
    return retention.purge_old_data()


@task()
def show_helpful_counts(article_id):
    """Publish the helpful counts marked on an article since its page last showed them (comments.helpful)."""
    conversation_changed(article_id)
