"""Readers' helpful marks, and each comment's count of them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0010_notification_unknown_outcome"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="helpful_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="helpful"
            ),
        ),
        migrations.CreateModel(
            name="HelpfulMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("reader", models.CharField(max_length=32)),
                ("network", models.CharField(max_length=50)),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now),
                ),
                (
                    "comment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="helpful_marks",
                        to="comments.comment",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        fields=["comment", "network"],
                        name="helpful_mark_network_idx",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("comment", "reader"),
                        name="one_helpful_mark_per_reader",
                    )
                ],
            },
        ),
    ]
