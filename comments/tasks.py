"""Background work for comments, run by `manage.py db_worker` (django-tasks-db).

Each task is small and safe to run twice: enqueuing happens inside the
transaction of the change that needs it, and a task the worker lost is
enqueued again by the sweep in comments.delivery.
"""

from django.tasks import task

from comments import delivery, retention


@task
def send_notification(notification_id):
    """Send one Notification email (or record why not); return its status."""
    status = delivery.deliver(notification_id)
    # Keeps a dead worker's emails moving even when nobody runs the sweep
    # from cron; at most once a minute per worker, so a burst stays fast.
    delivery.requeue_stuck_now_and_then()
    return status


@task
def retry_stuck_notifications():
    """Re-enqueue emails a dead worker left unsent; return how many."""
    return delivery.requeue_stuck()


@task(priority=-10)
def purge_old_data():
    """Apply the retention rules; return what was cleared and deleted."""
    return retention.purge_old_data()
