"""Further reading: the articles an article cites, shown under it.

Most articles cite none. The article row says whether it cites any
(`Article.cites_articles`), kept here whenever its citations change, so the
article page reads it with the article and asks for the list only when there
is one.
"""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from articles.models import Article


def further_reading(article):
    """Return the published articles `article` cites."""
    if not article.cites_articles:
        return []
    return article.related_articles.published().only("title", "slug")


@receiver(
    m2m_changed,
    sender=Article.related_articles.through,
    dispatch_uid="parley.further-reading-changed",
)
def note_citations(sender, instance, action, **kwargs):
    """Record on the citing article whether it still cites any, after its citations change."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    instance.cites_articles = instance.related_articles.exists()
    Article.objects.filter(pk=instance.pk).update(
        cites_articles=instance.cites_articles
    )
