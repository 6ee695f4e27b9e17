"""Old links keep working: a page not found here, at an imported article's old address, redirects to it."""

from django.http import HttpResponsePermanentRedirect

from articles.models import Article


def old_addresses(request):
    """Return the addresses the request's URL may have had on the old site, with and without the final slash."""
    path = request.path
    paths = {path, path.rstrip("/") or "/", path if path.endswith("/") else f"{path}/"}
    host = request.get_host()
    return [
        f"{scheme}://{host}{each}" for scheme in ("http", "https") for each in paths
    ]


class OldAddressRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        article = (
            Article.objects.published()
            .filter(old_url__in=old_addresses(request))
            .only("slug")
            .first()
        )
        if article is None:
            return response
        return HttpResponsePermanentRedirect(article.get_absolute_url())
