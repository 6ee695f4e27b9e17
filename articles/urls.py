from django.urls import path

from articles import feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("feed/rss/", feeds.latest_articles_rss, name="feed-rss"),
    path("feed/atom/", feeds.latest_articles_atom, name="feed-atom"),
]
