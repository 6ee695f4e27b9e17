"""The queue's list filters: status tabs with counts, article, held reason (by rule), first-time senders."""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q

from articles.models import Article
from comments import roles
from comments.models import Comment
from comments.reports import reported_since_last_decision

Status = Comment.Status
# The order of the status tabs: the queue first.
STATUS_TABS = [Status.PENDING, Status.APPROVED, Status.SPAM, Status.REJECTED]
ALL = "all"


class StatusFilter(admin.SimpleListFilter):
    """Status tabs with a count beside each; the queue (pending) when none is chosen."""

    title = "status"
    parameter_name = "status"
    default = Status.PENDING

    def lookups(self, request, model_admin):
        # One query counts every tab, over what this user may see.
        self.counts = model_admin.get_queryset(request).aggregate(
            **{
                # Counting an indexed column lets PostgreSQL read only an index.
                status.value: Count("status", filter=Q(status=status))
                for status in STATUS_TABS
            }
        )
        choices = [
            (status.value, f"{status.label} ({self.counts[status.value]})")
            for status in STATUS_TABS
        ]
        choices.append((ALL, f"All ({sum(self.counts.values())})"))
        return choices

    def selected(self):
        value = self.value()
        # An unknown ?status= shows the queue rather than an error page.
        if value == ALL or value in Status.values:
            return value
        return self.default

    def queryset(self, request, queryset):
        selected = self.selected()
        if selected == ALL:
            return queryset
        return queryset.filter(status=selected)

    def choices(self, changelist):
        selected = self.selected()
        for lookup, title in self.lookup_choices:
            yield {
                "selected": selected == lookup,
                "query_string": changelist.get_query_string(
                    # Sorting goes too: the columns differ between tabs.
                    {self.parameter_name: lookup},
                    remove=["p", "o"],
                ),
                "display": title,
                "value": lookup,
            }


class ArticleFilter(admin.SimpleListFilter):
    """Articles with comments, limited to the ones the user may moderate."""

    title = "article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        articles = roles.editable_articles(request.user, Article.objects.all())
        return list(
            articles.filter(Exists(Comment.objects.filter(article=OuterRef("pk"))))
            .order_by("-published_at", "-pk")
            .values_list("pk", "title")
        )

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            return queryset.none()
        return queryset.filter(article_id=int(value))


class HeldRule:
    """A screening rule, as the held reasons it writes begin."""

    def __init__(self, slug, label, *beginnings):
        self.slug, self.label, self.beginnings = slug, label, beginnings

    def matches(self, reason):
        return reason.startswith(self.beginnings)

    def condition(self):
        condition = Q()
        for beginning in self.beginnings:
            condition |= Q(status_reason__startswith=beginning)
        return condition


# The rules that write a comment's reason (comments.moderation, reports,
# auto-approval), each written with its own details after a fixed beginning:
# "Sent 0.0 s after…" and "Sent 0.6 s after…" are one rule.
HELD_RULES = [
    HeldRule("links", "Too many links", "Too many links"),
    HeldRule("blocked", "On the block list", "Blocked "),
    HeldRule("timing", "Sent too fast or too late", "Sent ", "Form shown "),
    HeldRule("token", "Form token missing or altered", "Form token"),
    HeldRule("honeypot", "Honeypot filled in", "Honeypot"),
    HeldRule("reported", "Reported by readers", "reported", "Reported"),
    HeldRule("review", "Every visitor comment", "Held for review"),
    HeldRule("auto", "Auto-approved", "Auto-approved"),
]
OTHER_REASON = "other"


def held_rule_label(reason):
    """Return the label of the rule that wrote `reason`, or "" when none did."""
    for rule in HELD_RULES:
        if rule.matches(reason):
            return rule.label
    return ""


class HeldReasonFilter(admin.SimpleListFilter):
    """The rule that held (or decided) a comment; the row shows the details."""

    title = "held reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return [(rule.slug, rule.label) for rule in HELD_RULES] + [
            (OTHER_REASON, "Any other reason")
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if value == OTHER_REASON:
            any_rule = Q()
            for rule in HELD_RULES:
                any_rule |= rule.condition()
            return queryset.exclude(status_reason="").exclude(any_rule)
        for rule in HELD_RULES:
            if rule.slug == value:
                return queryset.filter(rule.condition())
        return queryset.none()


class FirstTimeFilter(admin.SimpleListFilter):
    """Whether the sender has any approved comment yet: the queue's first-timers."""

    title = "sender"
    parameter_name = "first_time"

    def lookups(self, request, model_admin):
        return [
            ("yes", "First-time (nothing approved yet)"),
            ("no", "Has approved comments"),
        ]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        # Only indexed columns (author_email, status): each probe reads the
        # index alone.
        approved = roles.moderatable_comments(
            request.user,
            Comment.objects.approved().filter(author_email=OuterRef("author_email")),
        )
        if self.value() == "yes":
            return queryset.filter(~Exists(approved))
        return queryset.filter(Exists(approved))


class ReportedFilter(admin.SimpleListFilter):
    """Comments readers reported since an editor last decided on them, whatever their status.

    Reports alone never take down a staff comment, one an editor approved
    after earlier reports, or one with published replies
    (comments.reports): those stay published and wait here, with the count
    beside the filter so an editor notices them.
    """

    title = "readers' reports"
    parameter_name = "reported"

    def lookups(self, request, model_admin):
        waiting = reported_since_last_decision(
            model_admin.get_queryset(request)
        ).count()
        return [("yes", f"Reported since the last decision ({waiting})")]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        return reported_since_last_decision(queryset)

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "All",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                # Still published or back in the queue: show every status.
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup, StatusFilter.parameter_name: ALL},
                    remove=["p"],
                ),
                "display": title,
            }
