from django.urls import path

from comments import editing_views, feeds, following_views, helpful_views, views

app_name = "comments"

urlpatterns = [
    path("post/<slug:slug>/", views.post_comment, name="post"),
    path("report/<int:comment_id>/", views.report_comment, name="report"),
    path("helpful/<int:comment_id>/", helpful_views.mark_helpful, name="helpful"),
    path("edit/<int:comment_id>/", editing_views.edit_comment, name="edit"),
    path("delete/<int:comment_id>/", editing_views.delete_comment, name="delete"),
    path("follow/<slug:slug>/", following_views.follow, name="follow"),
    path("feed/rss/", feeds.latest_comments_rss, name="feed-rss"),
    path("feed/atom/", feeds.latest_comments_atom, name="feed-atom"),
    path("feed/<slug:slug>/rss/", feeds.article_comments_rss, name="article-feed-rss"),
    path(
        "feed/<slug:slug>/atom/", feeds.article_comments_atom, name="article-feed-atom"
    ),
]
