from django.contrib import admin
from django.urls import include, path

from config import views

admin.site.site_header = "Parley administration"
admin.site.site_title = "Parley"
admin.site.index_title = "Moderation and publishing"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    path("comments/", include("comments.urls")),
    path("email/", include("comments.notify.urls")),
    path("api/v1/", include("comments.api.urls")),
    path("", include("articles.urls")),
]

handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
