"""The writer's edits on a comment's admin page: every earlier text, and what each edit changed."""

import difflib

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime


def word_diff(old, new):
    """Return HTML of `new` against `old` word by word: removed words in <del>, added in <ins>."""
    old_words, new_words = old.split(), new.split()
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    parts = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(format_html("{}", " ".join(old_words[a1:a2])))
            continue
        if tag in ("replace", "delete"):
            parts.append(format_html("<del>{}</del>", " ".join(old_words[a1:a2])))
        if tag in ("replace", "insert"):
            parts.append(format_html("<ins>{}</ins>", " ".join(new_words[b1:b2])))
    return mark_safe(" ".join(str(part) for part in parts))  # noqa: S308 - each part escaped by format_html


def edit_history(comment):
    """Return (written at, text, diff HTML against the text before it) for each text `comment` has had, oldest first."""
    versions = list(comment.versions.all())
    texts = [(version.written_at, version.body) for version in versions]
    if comment.deleted_by_writer:
        current = None
    else:
        current = (comment.edited_at or comment.created_at, comment.body)
    if current is not None:
        texts.append(current)
    history, previous = [], None
    for written_at, body in texts:
        history.append(
            (written_at, body, None if previous is None else word_diff(previous, body))
        )
        previous = body
    return history


class EditHistoryMixin:
    """Adds the readonly "edit history" field to the comment's admin page."""

    @admin.display(description="Edit history")
    def edit_history(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        history = edit_history(obj)
        if len(history) < 2 and not obj.deleted_by_writer:
            return "Not edited."
        rows = format_html_join(
            "",
            "<li><p><strong>Version {}</strong>, {}</p><p>{}</p></li>",
            (
                (
                    number,
                    localtime(written_at).strftime("%Y-%m-%d %H:%M:%S"),
                    diff if diff is not None else body,
                )
                for number, (written_at, body, diff) in enumerate(history, start=1)
            ),
        )
        deleted = (
            format_html(
                "<p>Deleted by its writer at {}.</p>",
                localtime(obj.edited_at).strftime("%Y-%m-%d %H:%M:%S"),
            )
            if obj.deleted_by_writer
            else ""
        )
        return format_html('<ol class="edit-history">{}</ol>{}', rows, deleted)
