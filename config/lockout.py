"""The page an admin sign-in gets once django-axes has locked its account for that address."""

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil


def lockout_response(request, original_response, credentials):
    """Say how long the lock lasts and who can lift it sooner: only an operator can."""
    cool_off = get_cool_off(request)
    now = timezone.now()
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "username": get_client_username(request, credentials) or "",
        "cool_off": timeuntil(now + cool_off, now) if cool_off else "",
    }
    return render(
        request,
        "admin/lockout.html",
        context,
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
