"""Django's SMTP email backend, telling "the server may have taken it" apart from "it did not".

Once the whole message and its terminating "." have been written, the mail
server may have queued it even if its answer never arrives (a timeout, a
dropped connection). Sending again then delivers a second copy, so such a
failure raises OutcomeUnknown instead of an ordinary SMTP error, and the
worker retries it once, later (comments.notify.tasks). A failure at any
earlier step (connecting, MAIL, RCPT, DATA, writing the message) means the
server did not take the message, and is retried as usual.

MAILERS names this backend for smtp:// EMAIL_URLs (config/settings.py).
"""

import smtplib

from django.core.mail.backends import smtp

END_OF_DATA = b"\r\n.\r\n"


class OutcomeUnknown(smtplib.SMTPServerDisconnected):
    """The message was written in full, but the server's answer to it never came."""


class ReplyTracking:
    """An SMTP connection that knows whether it is waiting for the answer to a whole message."""

    awaiting_end_of_data_reply = False

    def send(self, s):
        super().send(s)
        # smtplib.SMTP.data() writes the message with its final "." in one
        # send; anything written after (QUIT, the next MAIL) clears the flag.
        self.awaiting_end_of_data_reply = isinstance(s, bytes) and s.endswith(
            END_OF_DATA
        )

    def getreply(self):
        try:
            return super().getreply()
        except smtplib.SMTPServerDisconnected as error:
            if self.awaiting_end_of_data_reply:
                raise OutcomeUnknown(
                    "The mail server did not answer the end of the message "
                    f"({error}); it may have accepted it."
                ) from error
            raise
        finally:
            self.awaiting_end_of_data_reply = False


class SMTP(ReplyTracking, smtplib.SMTP):
    pass


class SMTPSSL(ReplyTracking, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return SMTPSSL if self.use_ssl else SMTP
