from django.dispatch import Signal

# Sent by Comment.submit() when a visitor's comment has been stored and waits
# for moderation (status pending), inside the transaction that stored it.
# Arguments: sender (the Comment class), comment.
comment_submitted = Signal()

# Sent by Comment.submit() and Comment.moderate() each time a comment becomes
# visible on the site (approved), inside the transaction that changed it; never
# for edits, re-approvals or comments that were already visible.
# Arguments: sender (the Comment class), comment, moderator (the user who
# approved it, or None when it was approved automatically), previous_status
# (the status it was held in before this decision, or None when it was
# published as it was submitted).
comment_published = Signal()

# Sent by Comment.moderate() for every decision that changed a comment's
# status, inside the transaction that changed it.
# Arguments: sender (the Comment class), comment, moderator (the user who
# decided, or None for Parley's rules), previous_status.
comment_moderated = Signal()
