from django import template

from comments.admin.queue import queue_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def moderation_queue(context):
    """Return the waiting count and oldest age of the comments the viewer moderates."""
    request = context.get("request")
    if request is None:
        return None
    return queue_summary(request.user)
