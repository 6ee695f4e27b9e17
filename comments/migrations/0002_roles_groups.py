"""Create the two staff roles, "Editors" and "Authors", with their model permissions.

Which rows each role may touch (authors: their own articles and the comments on
them) is decided in comments/roles.py; these permissions only open the admin
pages. The lists are frozen here on purpose: a later model gets its
permissions in its own migration.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Editors": {
        "articles.article": ["add", "change", "delete", "view"],
        "comments.comment": ["change", "view"],
        "comments.blockeditem": ["add", "change", "delete", "view"],
        "comments.cannedreply": ["add", "change", "delete", "view"],
        "comments.commentreport": ["view"],
        "comments.notification": ["view"],
        "comments.subscriber": ["view"],
    },
    "Authors": {
        "articles.article": ["add", "change", "view"],
        "comments.comment": ["change", "view"],
        "comments.cannedreply": ["view"],
        "comments.commentreport": ["view"],
    },
}


def create_groups(apps, schema_editor):
    # On a fresh database the permissions are normally created after all
    # migrations ran (post_migrate); create them now so the groups get them.
    for label in ("articles", "comments"):
        create_permissions(
            global_apps.get_app_config(label),
            apps=apps,
            verbosity=0,
            using=schema_editor.connection.alias,
        )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for model_label, actions in grants.items():
            app_label, model = model_label.split(".")
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=[f"{action}_{model}" for action in actions],
                )
            )


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("comments", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
