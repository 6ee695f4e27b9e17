import json
import logging
import time

logger = logging.getLogger("parley.requests")

# Signed links (unsubscribe, confirm, moderate) carry their token in the URL;
# whoever reads the logs must not be able to replay them.
SECRET_URL_KWARGS = ("token", "signature", "signed")


def log_value(value):
    """Return `value` for a key=value log line, quoted when it would break the line."""
    text = str(value)
    if not text or any(char.isspace() or char in '"=' for char in text):
        return json.dumps(text)
    return text


def loggable_path(request):
    """Return the request path with any signed token in it replaced by [redacted]."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if any(word in name for word in SECRET_URL_KWARGS) and value:
                path = path.replace(str(value), "[redacted]")
    return path[:300]


class RequestLogMiddleware:
    """Log one structured line per request: method, path, status, duration.

    First in MIDDLEWARE so the duration covers every other middleware and the
    line is written for redirects and errors answered before the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "method=%s path=%s status=%s duration_ms=%.1f",
                log_value(request.method),
                log_value(loggable_path(request)),
                response.status_code,
                (time.perf_counter() - started) * 1000,
            )
        return response
