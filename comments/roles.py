"""Who may moderate what: the two staff roles, written once for every admin view.

Editors moderate and reply everywhere; authors only on their own articles;
any other staff member sees nothing. The groups themselves (and their model
permissions) are created by the comments migration "roles_groups"; each role is
a permission of its group ("moderate_every_article", "moderate_own_articles"),
so Django's auth backend answers, once per request.
Superusers count as editors so a site owner is never locked out.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404

from comments.models import Comment

EDITORS = "Editors"
AUTHORS = "Authors"


EVERY_ARTICLE = "moderate_every_article"
OWN_ARTICLES = "moderate_own_articles"


def holding(codename):
    """Return the condition "has the comments app's permission `codename`, from a group or their own"."""
    return Q(
        groups__permissions__content_type__app_label="comments",
        groups__permissions__codename=codename,
    ) | Q(
        user_permissions__content_type__app_label="comments",
        user_permissions__codename=codename,
    )


def moderators(article):
    """Return the active staff who decide the comments on `article`, as one query."""
    editors = holding(EVERY_ARTICLE) | Q(is_superuser=True)
    author = holding(OWN_ARTICLES) & Q(pk=article.author_id)
    return (
        get_user_model()
        .objects.filter(editors | author, is_active=True, is_staff=True)
        .distinct()
    )


def is_editor(user):
    return user.is_staff and user.has_perm(f"comments.{EVERY_ARTICLE}")


def is_author(user):
    return user.is_staff and user.has_perm(f"comments.{OWN_ARTICLES}")


def can_moderate_any(user):
    return is_editor(user) or is_author(user)


def moderatable_comments(user, queryset):
    """Return the part of a comment queryset `user` may list, count and decide on."""
    if is_editor(user):
        return queryset
    if is_author(user):
        return queryset.filter(article__author=user)
    return queryset.none()


def editable_articles(user, queryset):
    """Return the part of an article queryset `user` may open and edit."""
    if is_editor(user):
        return queryset
    if is_author(user):
        return queryset.filter(author=user)
    return queryset.none()


def readable_articles(user, queryset):
    """Return the part of an article queryset `user` may read on the site.

    Everyone reads what is published; drafts and articles dated in the future
    are for their author and editors only.
    """
    if is_editor(user):
        return queryset
    if is_author(user):
        return queryset.published() | queryset.filter(author=user)
    return queryset.published()


def may_read(user, article):
    """Return whether `user` may read `article`: readable_articles() for one article in hand."""
    if article.is_published or is_editor(user):
        return True
    return is_author(user) and article.author_id == user.pk


def can_moderate_article(user, article):
    """Return True when `user` decides the comments on `article` (and so may publish there at once)."""
    if is_editor(user):
        return True
    return is_author(user) and article.author_id == user.pk


def can_moderate(user, comment):
    return can_moderate_article(user, comment.article)


def staff_badge(user, article):
    """Return the badge a staff member's comment on `article` carries: Author on their own article."""
    if article.author_id == user.pk:
        return Comment.Badge.AUTHOR
    return Comment.Badge.STAFF


class RoleScopedAdminMixin:
    """Admin behaviour shared by articles and comments: what a role may see.

    Staff in neither group do not see the module; an author's list, counts and
    object pages hold only what `scope()` returns, and a guessed id of anything
    else is a 404 rather than Django's redirect to the index.
    """

    def scope(self, user, queryset):
        raise NotImplementedError

    def get_queryset(self, request):
        return self.scope(request.user, super().get_queryset(request))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(
                f"No {self.opts.verbose_name} with that id among the ones you may see."
            )
        return obj

    def has_module_permission(self, request):
        return can_moderate_any(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return can_moderate_any(request.user) and super().has_view_permission(
            request, obj
        )
