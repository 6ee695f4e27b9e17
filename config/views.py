from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache


def page_not_found(request, exception):
    return render(request, "404.html", status=404)


def server_error(request):
    # Without the request, no context processor runs: the failure may be the
    # database or the session they would read.
    return HttpResponseServerError(render_to_string("500.html"))


@never_cache
def healthz(request):
    """Report whether the database and the cache answer, for load balancers."""
    checks = {}
    try:
        ContentType.objects.exists()  # one round trip to the database
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means unhealthy
        checks["database"] = f"error: {type(error).__name__}"
    try:
        cache.set("healthz", "ok", 5)
        checks["cache"] = (
            "ok" if cache.get("healthz") == "ok" else "error: no read-back"
        )
    except Exception as error:  # noqa: BLE001
        checks["cache"] = f"error: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
    )
