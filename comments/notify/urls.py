from django.urls import path

from comments import following_views
from comments.notify import views

app_name = "comment_emails"

urlpatterns = [
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unfollow/<str:token>/", following_views.unfollow, name="unfollow"),
    path(
        "moderate/<int:comment_id>/<str:decision>/<str:token>/",
        views.moderate,
        name="moderate",
    ),
    path(
        "confirm-comment/<int:comment_id>/<str:token>/",
        views.confirm_comment,
        name="confirm_comment",
    ),
]
