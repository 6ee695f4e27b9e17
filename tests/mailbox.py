"""What the real-SMTP tests share: a free local port, and the mailbox an aiosmtpd server delivers to."""

import email
import email.policy
import socket
import threading
import time


def free_port(ports, taken=()):
    """Return the first port in `ports` (not in `taken`) that nothing on 127.0.0.1 is bound to."""
    for port in ports:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports.start}-{ports.stop - 1} on 127.0.0.1")


class Mailbox:
    """The aiosmtpd handler: the messages received, parsed, in arrival order.

    Each message also carries `envelope_recipients` (lower-cased),
    `received_at` (time.time()) and `parts` (its text and HTML bodies).
    """

    def __init__(self):
        self.messages = []
        self._changed = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        message.received_at = time.time()
        message.envelope_recipients = [r.lower() for r in envelope.rcpt_tos]
        # Parsed once here: tests wait on predicates over every message.
        message.parts = {
            subtype: _part(message, subtype) for subtype in ("plain", "html")
        }
        with self._changed:
            self.messages.append(message)
            self._changed.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address):
        address = address.lower()
        return [m for m in list(self.messages) if address in m.envelope_recipients]

    def wait_for(self, predicate, timeout=20, what="a message"):
        """Return the first message matching `predicate`, waiting for it to arrive."""
        return self.wait_for_count(1, predicate, timeout=timeout, what=what)[0]

    def wait_for_count(self, count, predicate=None, timeout=60, what="messages"):
        """Return the messages matching `predicate` (all, without one) once there are `count`."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [m for m in self.messages if predicate is None or predicate(m)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(m["To"], m["Subject"]) for m in self.messages[-10:]]
                    raise AssertionError(
                        f"{len(found)} of {count} {what} reached the SMTP server "
                        f"within {timeout} s; last messages received: {recent}"
                    )
                self._changed.wait(remaining)


def _part(message, subtype):
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None else ""
