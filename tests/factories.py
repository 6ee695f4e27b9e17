import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from comments.models import Comment


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Writer{n}")
    password = factory.django.Password("correct horse battery staple")


class StaffFactory(UserFactory):
    is_staff = True


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    author = factory.SubFactory(StaffFactory)
    standfirst = "A short summary."
    body = "<p>Some words about the subject.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class CommentFactory(factory.django.DjangoModelFactory):
    """An approved visitor comment, stored without screening or signals."""

    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.org")
    body = "I have a thought about this."
    status = Comment.Status.APPROVED
    published_at = factory.LazyFunction(timezone.now)
    ip_address = "192.0.2.10"
