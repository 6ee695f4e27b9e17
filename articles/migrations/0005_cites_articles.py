from django.db import migrations, models
from django.db.models import Exists, OuterRef


def mark_citing_articles(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    citations = Article.related_articles.through.objects.filter(
        from_article=OuterRef("pk")
    )
    Article.objects.filter(Exists(citations)).update(cites_articles=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_comments_close_after_days"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="cites_articles",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_citing_articles, migrations.RunPython.noop),
    ]
