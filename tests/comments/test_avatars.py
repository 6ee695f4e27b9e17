import pytest

from comments.avatars import PALETTE_SIZE, initials_avatar


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("Gunther", "G"),
        ("dana whitfield", "DW"),
        ("Mary Ann de la Cruz", "MC"),
        ('"Bob" (the builder)', "BB"),
        ("Émile Zola", "ÉZ"),
        ("李小龙", "李"),
        ("   ", "?"),
        ("🙂 🙂", "?"),
        ("", "?"),
    ],
)
def test_initials_come_from_the_first_and_last_words(name, initials):
    assert initials_avatar(name)[0] == initials


def test_colour_is_the_same_for_the_same_name_in_every_process():
    # crc32, unlike hash(), does not change between processes.
    assert initials_avatar("Gunther") == ("G", "avatar-2")
    assert initials_avatar(" gunther ") == initials_avatar("GUNTHER")


def test_names_spread_over_the_palette():
    colours = {initials_avatar(f"Reader {number}")[1] for number in range(200)}

    assert colours == {f"avatar-{index}" for index in range(PALETTE_SIZE)}


def test_every_palette_colour_has_a_style(settings):
    css = (settings.BASE_DIR / "static/css/site.css").read_text()

    for index in range(PALETTE_SIZE):
        assert f".avatar-{index} {{ background:" in css
    assert ".avatar-none {" in css
