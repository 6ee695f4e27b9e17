"""/api/v1/: the API object, its error answers and its routers."""

from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from comments.api import public, staff
from comments.api.errors import FormRefused, validation_problem
from comments.outages import RETRY_AFTER_SECONDS

api = NinjaAPI(
    title="Parley API",
    version="1",
    description=(
        "Read an article's conversation, post and report as a visitor would, and "
        "moderate with a staff member's token (Authorization: Bearer <token>, "
        "created by an editor in Admin → API tokens)."
    ),
    urls_namespace="api-v1",
)
api.add_router("", public.router)
api.add_router("", staff.router)


@api.exception_handler(FormRefused)
def form_refused(request, refusal):
    return api.create_response(request, refusal.problem(), status=422)


@api.exception_handler(ValidationError)
def not_readable(request, error):
    return api.create_response(request, validation_problem(error.errors), status=422)


@api.exception_handler(HttpError)
def http_error(request, error):
    return api.create_response(
        request, {"message": str(error), "errors": []}, status=error.status_code
    )


@api.exception_handler(Http404)
def not_found(request, error):
    return api.create_response(
        request, {"message": "Not found.", "errors": []}, status=404
    )


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def database_unavailable(request, error):
    """A locked or unreachable database: nothing was stored, and the caller may send it again."""
    response = api.create_response(
        request,
        {
            "message": "The site cannot store anything just now. Nothing was stored: "
            f"send the same request again in {RETRY_AFTER_SECONDS} seconds.",
            "errors": [],
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@api.exception_handler(AuthenticationError)
def unauthenticated(request, error):
    return api.create_response(
        request,
        {
            "message": "Send a valid staff API token: Authorization: Bearer <token>.",
            "errors": [],
        },
        status=401,
    )


urlpatterns = [path("", api.urls)]
