from django.contrib import admin

from articles.models import Article
from comments import following, roles


@admin.register(Article)
class ArticleAdmin(roles.RoleScopedAdminMixin, admin.ModelAdmin):
    list_display = ["title", "status", "author", "published_at", "comment_count"]
    list_filter = ["status", "author", "published_at", "comments_enabled"]
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    autocomplete_fields = ["related_articles"]
    list_select_related = ["author"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "standfirst", "body"]}),
        ("Publishing", {"fields": ["status", "published_at", "related_articles"]}),
        (
            "Discussion",
            {
                "fields": [
                    "comments_enabled",
                    "comments_close_at",
                    "comments_close_after_days",
                    "followers",
                ]
            },
        ),
    ]

    readonly_fields = ["followers"]

    @admin.display(description="Followers")
    def followers(self, obj):
        """How many addresses follow the conversation (confirmed or not)."""
        return following.follower_count(obj) if obj is not None and obj.pk else 0

    # Editors edit every article; authors only their own (comments.roles).

    def scope(self, user, queryset):
        return roles.editable_articles(user, queryset)

    def get_list_filter(self, request):
        if roles.is_editor(request.user):
            return self.list_filter
        return [name for name in self.list_filter if name != "author"]

    def get_readonly_fields(self, request, obj=None):
        if roles.is_editor(request.user):
            return self.readonly_fields
        return [*self.readonly_fields, "author"]

    # Further reading offers, and accepts, only articles the user may read on
    # the site: their own drafts and what is published (editors: everything).

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "related_articles":
            kwargs["queryset"] = roles.readable_articles(
                request.user, Article.objects.all()
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        if (
            request.resolver_match.url_name == "autocomplete"
            and request.GET.get("field_name") == "related_articles"
        ):
            # The autocomplete asks this admin, whose list holds only what
            # the user may edit; what they may link to is wider.
            queryset = roles.readable_articles(request.user, Article.objects.all())
        return super().get_search_results(request, queryset, search_term)

    def get_changeform_initial_data(self, request):
        return {
            "author": request.user.pk,
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if not change and not roles.is_editor(request.user):
            obj.author = request.user
        super().save_model(request, obj, form, change)
