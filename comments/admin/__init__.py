"""The comments app in Django's admin: the moderation workflow and the email records.

filters         the queue's list filters (status tabs, article, held reason, first-time)
queue           the queue's rows and columns, and the waiting count on the admin index
queue_actions   how a decision answers: in place, back to the queue, or on to the next
undo            the decisions an editor may take back from the queue
views           the comment page's buttons (decide, feature, block, reply), privacy requests
forms           the forms of those pages
comment         CommentAdmin, which puts them together
moderation_log  the moderation log: every change, by people and by Parley's rules
block_list      the block list (editors only)
canned_replies  the openings offered in the reply form
comments.notify.admin   Notification, Subscriber and staff email preferences
comments.api.admin      the API's tokens (editors only)

Django's admin autodiscovery imports this module; every model is registered here.
"""

from django.contrib import admin

from comments.admin.block_list import BlockedItemAdmin
from comments.admin.canned_replies import CannedReplyAdmin
from comments.admin.comment import CommentAdmin
from comments.admin.moderation_log import ModerationLogAdmin
from comments.api.admin import ApiTokenAdmin
from comments.api.tokens import ApiToken
from comments.models import (
    BlockedItem,
    CannedReply,
    Comment,
    ModerationLogEntry,
    Notification,
    StaffPreference,
    Subscriber,
)
from comments.notify.admin import (
    NotificationAdmin,
    StaffPreferenceAdmin,
    SubscriberAdmin,
)

admin.site.register(ApiToken, ApiTokenAdmin)
admin.site.register(Comment, CommentAdmin)
admin.site.register(ModerationLogEntry, ModerationLogAdmin)
admin.site.register(BlockedItem, BlockedItemAdmin)
admin.site.register(CannedReply, CannedReplyAdmin)
admin.site.register(Notification, NotificationAdmin)
admin.site.register(Subscriber, SubscriberAdmin)
admin.site.register(StaffPreference, StaffPreferenceAdmin)
