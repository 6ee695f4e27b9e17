from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from articles import demo
from articles.models import Article
from comments.models import Comment, Subscriber
from comments.moderation_log import person_name

DEMO_EDITOR_USERNAME = "editor"
DEMO_EDITOR_PASSWORD = "parley-demo-editor"  # noqa: S105 - printed on purpose, demo only
DEMO_AUTHOR_USERNAME = "dana"
GUNTHER_EMAIL = "gunther@example.org"


class Command(BaseCommand):
    help = (
        "Load the demo articles and conversation, and a demo editor account. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DEBUG off (never on a real site: it "
            "creates an account with a published password).",
        )

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "load_demo creates an editor account with a published password, "
                "so it only runs with DEBUG=1 (or --allow-production)."
            )
        self._user(
            DEMO_EDITOR_USERNAME, "Erin", "Editor", "editor@example.com", "Editors"
        )
        author = self._user(
            DEMO_AUTHOR_USERNAME, "Dana", "Whitfield", "dana@example.com", "Authors"
        )
        created = 0
        now = timezone.now()
        articles = {}
        for age_in_days, spec in zip((9, 5, 14), demo.ARTICLES, strict=True):
            article, was_created = Article.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "title": spec["title"],
                    "standfirst": spec["standfirst"],
                    "body": spec["body"].strip(),
                    "author": author,
                    "status": Article.Status.PUBLISHED,
                    "published_at": now - timedelta(days=age_in_days),
                },
            )
            created += was_created
            articles[spec["slug"]] = article

        reference = articles[demo.REFERENCE_SLUG]
        if not reference.related_articles.exists():
            reference.related_articles.set(
                [a for slug, a in articles.items() if slug != demo.REFERENCE_SLUG]
            )
        if not reference.comments.exists():
            self._conversation(reference, author)
            created += 1

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready ({created} new item(s)). Admin login: "
                f"{DEMO_EDITOR_USERNAME} / {DEMO_EDITOR_PASSWORD}"
            )
        )

    def _user(self, username, first, last, email, group_name):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": email,
                "is_staff": True,
            },
        )
        if created:
            user.set_password(DEMO_EDITOR_PASSWORD)
            user.save()
            group = Group.objects.filter(name=group_name).first()
            if group:
                user.groups.add(group)
        return user

    def _conversation(self, article, author):
        started = article.published_at
        # Gunther confirmed his address when he first commented here, so the
        # author's reply below is emailed to him (the worker sends it; Admin →
        # Notifications shows it sent) and he is asked for nothing again.
        Subscriber.objects.update_or_create(
            email=GUNTHER_EMAIL,
            defaults={"confirmed_at": started},
        )
        gunther = Comment(
            article=article,
            author_name="Gunther",
            author_email=GUNTHER_EMAIL,
            body=demo.GUNTHER_COMMENT,
            status=Comment.Status.APPROVED,
            created_at=started + timedelta(days=1, hours=3),
            published_at=started + timedelta(days=1, hours=5),
        ).submit()
        Comment(
            article=article,
            parent=gunther,
            author_name=person_name(author),
            author_email=author.email,
            user=author,
            badge=Comment.Badge.AUTHOR,
            # Comment links are absolute (comments.sanitize keeps http and https).
            body=demo.author_reply(
                lambda slug: (
                    settings.SITE_URL
                    + reverse("articles:detail", kwargs={"slug": slug})
                )
            ),
            status=Comment.Status.APPROVED,
            created_at=started + timedelta(days=2),
            published_at=started + timedelta(days=2),
        ).submit(moderator=author)
        Comment(
            article=article,
            author_name="Priya",
            author_email="priya@example.net",
            body=demo.PENDING_COMMENT,
            status=Comment.Status.PENDING,
        ).submit()
