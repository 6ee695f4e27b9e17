from django.urls import path

from comments import email_views

app_name = "comment_emails"

urlpatterns = [
    path("confirm/<str:token>/", email_views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", email_views.unsubscribe, name="unsubscribe"),
    path(
        "moderate/<int:comment_id>/<str:decision>/<str:token>/",
        email_views.moderate,
        name="moderate",
    ),
]
