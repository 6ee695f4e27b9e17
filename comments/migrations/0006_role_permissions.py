"""Give each staff role its own permission, so a role is asked of Django's auth backend."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Editors": "moderate_every_article",
    "Authors": "moderate_own_articles",
}


def grant(apps, schema_editor):
    create_permissions(
        global_apps.get_app_config("comments"),
        apps=apps,
        verbosity=0,
        using=schema_editor.connection.alias,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codename in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            Permission.objects.get(content_type__app_label="comments", codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0005_featured_comments_index"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="comment",
            options={
                "ordering": ["created_at", "id"],
                "permissions": [
                    ("moderate_every_article", "Can moderate comments on every article"),
                    (
                        "moderate_own_articles",
                        "Can moderate comments on their own articles",
                    ),
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
