"""One spelling per mailbox: addresses are compared, counted, blocked and mailed in one form."""

import pytest
from django.utils import timezone

from comments.addresses import InvalidAddress, normalize_email
from comments.blocking import find_blocked_item
from comments.models import BlockedItem, Comment, Notification, Subscriber
from comments.notify.emails import build_message
from tests.comments.posting_helpers import form_data, post_url, text_of
from tests.worker import run_queued_tasks

pytestmark = pytest.mark.django_db

# One mailbox, typed five ways: fullwidth letters and dot, capitals, an
# invisible soft hyphen or zero-width space inside the domain, the root dot.
SPELLINGS = [
    "gunther@example.org",
    "gunther@ｅｘａｍｐｌｅ．ｏｒｇ",
    "ＧＵＮＴＨＥＲ@Example.Org",
    "gunther@exam\u00adple.org",
    "gunther@exa\u200bmple.org.",
]


@pytest.fixture(autouse=True)
def no_posting_limits(settings):
    settings.PARLEY = {
        **settings.PARLEY,
        "COMMENT_FLOOD_LIMIT": 10**6,
        "CONFIRMATION_LIMIT": 10**6,
    }


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_a_mailbox_is_one_address(spelling):
    assert normalize_email(spelling) == "gunther@example.org"
    assert normalize_email(spelling, strict=True) == "gunther@example.org"


def test_a_unicode_domain_is_kept_in_its_ascii_form():
    assert normalize_email("priya@Bücher.example") == "priya@xn--bcher-kva.example"
    assert normalize_email("priya@xn--bcher-kva.example") == (
        "priya@xn--bcher-kva.example"
    )


@pytest.mark.parametrize("text", ["priya@example..org", "priya@" + "a" * 64 + ".org"])
def test_an_address_without_a_usable_domain_is_refused_when_strict(text):
    with pytest.raises(InvalidAddress, match="not a domain name"):
        normalize_email(text, strict=True)
    # Searches and block checks of any text still compare folded text.
    assert normalize_email(text.upper()) == text.lower()


def test_every_spelling_of_one_address_gets_one_confirmation_email(
    client, article, mailoutbox
):
    for number, spelling in enumerate(SPELLINGS):
        data = form_data(
            article,
            email=spelling,
            comment=f"Thought number {number}.",
            shown_seconds_ago=60 + number,
        )
        response = client.post(post_url(article), data)
        assert response.status_code in (200, 302), text_of(response)
    run_queued_tasks()

    assert set(Comment.objects.values_list("author_email", flat=True)) == {
        "gunther@example.org"
    }
    assert list(Subscriber.objects.values_list("email", flat=True)) == [
        "gunther@example.org"
    ]
    asked = Notification.objects.filter(kind=Notification.Kind.CONFIRMATION)
    assert [n.recipient for n in asked] == ["gunther@example.org"]
    assert [m.to for m in mailoutbox] == [["gunther@example.org"]]


def test_an_address_with_no_usable_domain_is_refused_with_what_was_typed_kept(
    client, article
):
    typed = "priya@example..org"

    response = client.post(post_url(article), form_data(article, email=typed))

    assert response.status_code == 200
    assert Comment.objects.count() == 0
    page = text_of(response)
    assert "The part after the @ is not a domain name we can send email to." in page
    assert f'value="{typed}"' in response.content.decode()


def test_a_blocked_address_is_blocked_however_it_is_spelled():
    BlockedItem.objects.create(kind=BlockedItem.Kind.EMAIL, value="gunther@example.org")
    fullwidth = BlockedItem.objects.create(
        kind=BlockedItem.Kind.EMAIL, value="ｐｒｉｙａ@ｅｘａｍｐｌｅ．ｎｅｔ"
    )

    for spelling in SPELLINGS:
        assert find_blocked_item(email=spelling) is not None, spelling
    assert find_blocked_item(email="priya@example.net") == fullwidth


def test_subscriber_rows_and_emails_use_the_one_spelling():
    Subscriber.objects.create(
        email="ＧＵＮＴＨＥＲ@ｅｘａｍｐｌｅ．ｏｒｇ", confirmed_at=timezone.now()
    )
    message = build_message(
        "confirmation",
        "ｇｕｎｔｈｅｒ@ｅｘａｍｐｌｅ．ｏｒｇ",
        {"comment": None, "article": None, "confirm_url": "", "link_days": 30},
    )

    assert Subscriber.objects.get().email == "gunther@example.org"
    assert message.to == ["gunther@example.org"]


def test_an_address_an_editor_blocks_is_stored_in_the_one_spelling():
    item = BlockedItem(
        kind=BlockedItem.Kind.EMAIL, value=" ＧＵＮＴＨＥＲ@ｅｘａｍｐｌｅ．ｏｒｇ "
    )

    item.full_clean()

    assert item.value == "gunther@example.org"
