from django.urls import path

from bench import views
from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [
    path("bench/hello", views.hello, name="bench-hello"),
    path("bench/flat", views.flat, name="bench-flat"),
    *site_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
