"""python manage.py import_comments: WordPress and Disqus exports, as an operator moving to Parley runs it."""

import io
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from articles.models import Article
from comments.importing.exports import read_export
from comments.models import Comment, ModerationLogEntry, Notification
from comments.moderation_log import Action
from tests.factories import ArticleFactory, UserFactory

HERE = Path(__file__).parent
WORDPRESS = HERE / "wordpress-1.2.xml"
DISQUS = HERE / "disqus.xml"
OLD_POST = (
    "https://old.example.org/2012/05/why-organisations-hire-social-media-experts/"
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return UserFactory(username="owner", is_superuser=True, is_staff=True)


def run(path, *args):
    out = io.StringIO()
    call_command("import_comments", str(path), *args, stdout=out)
    return out.getvalue()


def variant(tmp_path, version, scheme):
    """Return the WordPress export written with another WXR version and namespace scheme."""
    text = WORDPRESS.read_text(encoding="utf-8").replace(
        "http://wordpress.org/export/1.2/",
        f"{scheme}://wordpress.org/export/{version}/",
    )
    path = tmp_path / f"wordpress-{version}-{scheme}.xml"
    path.write_text(text, encoding="utf-8")
    return path


def by_author(name):
    return Comment.objects.get(author_name=name)


@pytest.mark.parametrize(
    ("version", "scheme"),
    [("1.0", "http"), ("1.1", "http"), ("1.2", "http"), ("1.2", "https")],
)
def test_a_wordpress_export_becomes_threads_with_their_states(
    tmp_path, owner, version, scheme
):
    summary = run(variant(tmp_path, version, scheme))

    article = Article.objects.get(old_url=OLD_POST)
    assert article.status == Article.Status.DRAFT
    assert article.author == owner
    assert "<script>" not in article.body
    gunther = by_author("Gunther Weber")  # stray whitespace folded
    assert gunther.author_email == "gunther@example.com"
    assert gunther.status == Comment.Status.APPROVED
    assert gunther.created_at == datetime(2012, 5, 2, 9, 0, tzinfo=UTC)  # the GMT date
    assert gunther.ip_address == "192.0.2.10"
    reply = by_author("admin")
    assert reply.parent == gunther
    # A reply that came before its parent in the file is still attached to it.
    assert by_author("Дмитрий Соколов").parent == reply
    assert by_author("Waiting Reader").status == Comment.Status.PENDING
    assert by_author("Cheap Pills").status == Comment.Status.SPAM
    binned = by_author("Binned")
    assert binned.status == Comment.Status.REJECTED
    assert "trash" in binned.status_reason
    assert "Articles matched" not in summary
    assert "1 articles created as drafts" not in summary  # two posts had comments
    assert "2 articles created as drafts" in summary
    assert "1 posts and pages without comments" in summary


def test_comment_html_goes_through_the_same_sanitiser_as_a_new_comment(owner):
    run(WORDPRESS)

    html = by_author("Дмитрий Соколов").body_html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_threads_deeper_than_the_limit_attach_at_the_deepest_level(owner, settings):
    settings.PARLEY = {**settings.PARLEY, "COMMENT_MAX_DEPTH": 4}
    run(WORDPRESS)

    level_four = by_author("李雷")
    assert level_four.depth == 3
    # Levels five and six hang beside level four, as a reply posted today would.
    assert by_author("Zoë").parent == level_four.parent
    assert by_author("Ana").parent == level_four.parent
    # Each keeps whom it answers, for the page to say so.
    assert by_author("Zoë").in_reply_to == level_four
    assert by_author("Ana").in_reply_to == by_author("Zoë")
    assert level_four.in_reply_to is None
    assert max(Comment.objects.values_list("depth", flat=True)) == 3


def test_pingbacks_are_imported_as_such_or_skipped(client, owner):
    run(WORDPRESS)
    pingback = by_author("Another Blog")
    assert pingback.kind == Comment.Kind.PINGBACK
    article = pingback.article
    article.status = Article.Status.PUBLISHED
    article.save()
    page = client.get(article.get_absolute_url(), secure=True).content.decode()
    assert (
        'Pingback from <a href="https://another.example.net/2012/05/listening/"' in page
    )
    Comment.objects.all().delete()

    summary = run(WORDPRESS, "--skip-pingbacks")
    assert not Comment.objects.filter(author_name="Another Blog").exists()
    assert "1 pingbacks (--skip-pingbacks)" in summary


def test_orphans_empty_comments_and_missing_dates_are_imported_or_reported(owner):
    summary = run(WORDPRESS)

    assert by_author("Orphan").parent is None
    assert "1 replies whose parent was not imported: top-level" in summary
    assert not Comment.objects.filter(author_name="Blank").exists()
    assert "1 empty comments" in summary
    timeless = by_author("Timeless")
    assert timeless.ip_address is None
    assert "1 comments without a date: dated today" in summary
    assert "no GMT date" in summary


def test_a_reply_to_a_comment_that_was_skipped_is_imported_at_the_top(tmp_path, owner):
    path = tmp_path / "skipped-parent.xml"
    path.write_text(
        '<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item>'
        "<title>Post</title><wp:post_id>1</wp:post_id>"
        "<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Blank"
        "</wp:comment_author><wp:comment_content> </wp:comment_content>"
        "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
        "<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Answer"
        "</wp:comment_author><wp:comment_content>Still worth keeping."
        "</wp:comment_content><wp:comment_approved>1</wp:comment_approved>"
        "<wp:comment_parent>1</wp:comment_parent></wp:comment>"
        "</item></channel></rss>",
        encoding="utf-8",
    )

    summary = run(path)

    assert by_author("Answer").parent is None
    assert "1 empty comments" in summary
    assert "1 replies whose parent was not imported: top-level" in summary


def test_running_it_twice_imports_nothing_twice(owner):
    run(WORDPRESS)
    count = Comment.objects.count()
    articles = Article.objects.count()

    summary = run(WORDPRESS)

    assert Comment.objects.count() == count
    assert Article.objects.count() == articles
    assert f"{count} already imported" in summary
    assert "1 posts and pages without comments" in summary


def test_a_post_is_matched_to_an_existing_article_by_its_slug(owner):
    existing = ArticleFactory(slug="listening-at-scale")

    summary = run(WORDPRESS)

    assert by_author("Gunther").article == existing
    assert "1 articles matched" in summary


def test_a_dry_run_reports_and_writes_nothing(owner):
    summary = run(WORDPRESS, "--dry-run")

    assert "Dry run: nothing was written" in summary
    assert "comments published" in summary
    assert Comment.objects.count() == 0
    assert Article.objects.count() == 0


def test_each_imported_comment_is_in_the_moderation_log(owner):
    run(DISQUS)

    entry = ModerationLogEntry.objects.get(comment__author_name="Gunther")
    assert entry.action == Action.IMPORTED
    assert entry.message == "Imported from Disqus: published there."


def test_no_email_is_sent_for_imported_comments(owner, mailoutbox):
    run(WORDPRESS)
    run(DISQUS)

    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_a_disqus_export_keeps_threads_states_and_every_character(owner):
    summary = run(DISQUS)

    article = Article.objects.get(old_url=OLD_POST)
    gunther = Comment.objects.get(author_name="Gunther")
    assert gunther.article == article
    assert "<em>at all</em>" in gunther.body_html
    assert "iframe" not in gunther.body_html
    assert Comment.objects.get(author_name="admin").parent == gunther
    deleted = Comment.objects.get(author_name="Νίκος")
    assert deleted.status == Comment.Status.REJECTED
    assert "日本語" in deleted.body
    assert Comment.objects.get(author_name="Spammer").status == Comment.Status.SPAM
    assert not Comment.objects.filter(author_name="Lost").exists()
    assert "1 comments of a post that is not in the file" in summary
    assert "1 posts and pages without comments" in summary


def test_an_imported_articles_old_address_redirects_to_it(client, owner, settings):
    # The old domain now points at Parley.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "old.example.org"]
    run(WORDPRESS)
    article = Article.objects.get(old_url=OLD_POST)
    article.status = Article.Status.PUBLISHED
    article.save()

    response = client.get(
        "/2012/05/why-organisations-hire-social-media-experts/",
        HTTP_HOST="old.example.org",
        secure=True,
    )

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss><channel><item><title>&lol3;</title></item></channel></rss>
"""


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BOMB, "XML bomb"),
        ("<rss><channel><item>", "not well-formed XML"),
        ("this is not XML at all", "not well-formed XML"),
        ('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', "root element is <feed>"),
        ("<rss><channel><item><title>A feed</title></item></channel></rss>", "not a WordPress export"),
        ("", "not well-formed XML"),
    ],
)  # fmt: skip
def test_a_bad_file_is_refused_with_a_clear_error(tmp_path, owner, content, message):
    path = tmp_path / "export.xml"
    path.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError, match=message) as refusal:
        run(path)

    assert "Nothing was imported" in str(refusal.value)
    assert Comment.objects.count() == 0


def test_a_file_broken_half_way_writes_nothing(tmp_path, owner):
    text = WORDPRESS.read_text(encoding="utf-8")
    path = tmp_path / "truncated.xml"
    path.write_text(text[: text.index("<title>Listening at scale")], encoding="utf-8")

    with pytest.raises(CommandError, match="not well-formed XML"):
        run(path)

    assert Comment.objects.count() == 0
    assert Article.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path, owner):
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "nowhere.xml")


def generated_export(items):
    """Return a WordPress export of `items` posts with five comments each, as bytes."""
    parts = [
        '<?xml version="1.0"?><rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
    ]
    for number in range(items):
        comments = "".join(
            f"<wp:comment><wp:comment_id>{number * 10 + c}</wp:comment_id>"
            f"<wp:comment_author>Reader {c}</wp:comment_author>"
            f"<wp:comment_content>{'words ' * 80}</wp:comment_content>"
            "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
            for c in range(5)
        )
        parts.append(
            f"<item><title>Post {number}</title><wp:post_id>{number}</wp:post_id>"
            f"{comments}</item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def peak_memory_reading(data):
    tracemalloc.start()
    try:
        _kind, records = read_export(io.BytesIO(data))
        for _record in records:
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_large_export_needs_no_more_memory_than_a_small_one():
    small, large = generated_export(200), generated_export(4000)

    # Twenty times the file, about the same memory: nothing read is kept.
    assert peak_memory_reading(large) < 2 * peak_memory_reading(small)
