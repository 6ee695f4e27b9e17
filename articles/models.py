from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from articles.sanitize import sanitize_article_html


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Return the articles the public may read: published and not future-dated."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__lte=timezone.now()
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=220,
        unique=True,
        help_text="The article's address. Changing it breaks existing links.",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    standfirst = models.TextField(
        blank=True, help_text="One or two sentences shown under the title."
    )
    body = models.TextField(
        help_text="HTML. Headings, lists, links, images, quotes and code are kept; "
        "scripts, styles and event handlers are removed on save."
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    related_articles = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="+",
        verbose_name="further reading",
    )
    # Kept by articles.further_reading whenever related_articles changes: most
    # articles cite none, and their page then asks nothing more about them.
    cites_articles = models.BooleanField(default=False, editable=False)
    comments_enabled = models.BooleanField(
        "comments open",
        default=True,
        help_text="Untick to close the conversation on this article.",
    )
    # Both kept by comments.models.conversation_changed whenever what the
    # public sees of the comments changes: the count, so lists never count
    # rows per article; the version, under which the article page keeps its
    # rendered conversation (comments.cache).
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    conversation_version = models.PositiveIntegerField(default=0, editable=False)
    comments_close_at = models.DateTimeField(
        "comments close on",
        null=True,
        blank=True,
        help_text="Optional: comments close automatically after this moment.",
    )
    comments_close_after_days = models.PositiveIntegerField(
        "close comments after (days)",
        null=True,
        blank=True,
        help_text="Days after publication. Leave empty for the site's default "
        "(COMMENTS_CLOSE_AFTER_DAYS); 0 keeps them open.",
    )

    old_url = models.URLField(
        "old address",
        max_length=500,
        blank=True,
        db_index=True,
        help_text="Where an imported article lived before; a link to it redirects here.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._unique_slug()
        self.body = sanitize_article_html(self.body)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def is_published(self):
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self):
        """Published with a date still to come: the public sees it from then."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    @property
    def comments_open(self):
        """Whether visitors may comment now: the one answer every page and view reads."""
        if not self.comments_enabled:
            return False
        closes_at = self.comments_closes_at
        return closes_at is None or timezone.now() < closes_at

    @property
    def comments_closes_at(self):
        """Return when comments close: the close date or the days after publication, whichever is first."""
        days = self.comments_close_after_days
        if days is None:
            days = settings.PARLEY["COMMENTS_CLOSE_AFTER_DAYS"]
        moments = [self.comments_close_at]
        if days and self.published_at is not None:
            moments.append(self.published_at + timedelta(days=days))
        return min((moment for moment in moments if moment is not None), default=None)

    def _unique_slug(self):
        base = slugify(self.title)[:200] or "article"
        slug, suffix = base, 2
        while Article.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            slug, suffix = f"{base}-{suffix}", suffix + 1
        return slug
