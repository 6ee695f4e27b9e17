"""Email about comments: who is told what, the outbox and the worker's tasks, the emails, their links.

recipients   who is emailed about a comment, and why not when they are not
resend_window  how often one address may be asked to confirm
tasks        the outbox (one Notification row per email, written in the change's transaction)
             and the worker's tasks: claim a row, send it once, retry, rescue stuck rows on a timer
smtp         Django's SMTP backend, telling an unanswered end of message ("unknown") from a refusal
emails       one function per kind of email; the words are in templates/emails/
links        the signed links in emails (confirm, unsubscribe, approve or spam)
views, urls  the pages behind those links
receivers    the comment signals' receivers, which fill the outbox
admin        the read-only Notification and Subscriber admins, staff email preferences
"""
