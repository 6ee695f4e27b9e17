"""The canned openings staff can insert into a reply."""

from django.contrib import admin
from django.utils.text import Truncator


class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "opening"]
    search_fields = ["title", "text"]

    @admin.display(description="Text")
    def opening(self, obj):
        return Truncator(obj.text).chars(100)
