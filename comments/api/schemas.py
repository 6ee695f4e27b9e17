"""The shapes the API reads and writes, as its OpenAPI schema shows them."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema


class Message(Schema):
    message: str


class FieldError(Schema):
    field: str = Field(
        description="The field at fault; empty for the request as a whole."
    )
    message: str


class Problem(Schema):
    message: str
    errors: list[FieldError] = []


class CommentOut(Schema):
    id: int
    parent_id: int | None = Field(description="The comment this one answers.")
    level: int = Field(description="0 for a top-level comment, 1 for a reply to it...")
    author_name: str
    author_website: str = Field(
        description="Empty when none, or not an http(s) address."
    )
    badge: str = Field(description='"Author", "Staff" or empty.')
    body_html: str = Field(
        description="The comment as the page shows it: sanitised HTML."
    )
    created_at: datetime
    edited: bool
    helpful_count: int
    anchor_url: str = Field(description="The comment on its article's page.")


class ConversationPage(Schema):
    article: str = Field(description="The article's slug.")
    title: str
    comment_count: int = Field(description="Comments the public sees on the article.")
    comments_open: bool
    order: Literal["oldest", "newest", "helpful"]
    page: int
    has_next: bool
    comments: list[CommentOut] = Field(
        description="Whole threads, each comment after its parent."
    )


class FormToken(Schema):
    form_token: str
    usable_after_seconds: float = Field(
        description="A comment sent sooner than this after the token was issued is held as hasty."
    )
    expires_in_seconds: int


class CommentIn(Schema):
    name: str
    email: str
    comment: str
    website: str = ""
    parent: int | None = Field(None, description="The id of the comment answered.")
    notify_on_reply: bool = True
    follow_article: bool = Field(
        False, description="Also email the writer about every new comment here."
    )
    form_token: str = Field(
        description="From GET /articles/{slug}/form-token: one token posts once."
    )


class Posted(Schema):
    id: int
    status: Literal["pending", "approved"] = Field(
        description="pending: it waits for an editor; approved: it is published."
    )
    message: str
    url: str


class ReportIn(Schema):
    reason: str


class QueuedComment(Schema):
    id: int
    article: str
    parent_id: int | None
    author_name: str
    author_email: str
    author_website: str
    body: str
    status: str
    status_reason: str
    created_at: datetime
    admin_url: str


class Decision(Schema):
    decision: Literal["approve", "reject", "spam", "pending"]
    reason: str = ""


class Decided(Schema):
    id: int
    status: str
    changed: bool = Field(description="False when the comment already had that status.")
