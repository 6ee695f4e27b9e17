"""The forms of the comment page and the privacy request page."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from comments.models import MAX_BODY_LENGTH, CannedReply, Comment


class ModerationForm(forms.Form):
    status = forms.ChoiceField(choices=Comment.Status.choices)


class BlockSenderForm(forms.Form):
    expires_on = forms.DateField(
        required=False,
        label="Block until",
        help_text="Optional; leave empty to block for good.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError("Choose a date after today.")
        return day

    def expires_at(self):
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time.min))


class ReplyForm(forms.Form):
    canned = forms.ModelChoiceField(
        queryset=CannedReply.objects.all(),
        required=False,
        label="Canned opening",
        empty_label="Insert a canned opening…",
    )
    body = forms.CharField(
        label="Your reply",
        required=False,
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        cleaned = super().clean()
        body = (cleaned.get("body") or "").strip()
        canned = cleaned.get("canned")
        # Without JavaScript, the chosen opening is put before the text here.
        if canned:
            body = f"{canned.text.strip()}\n\n{body}".strip()
        if not body:
            raise forms.ValidationError("Write a reply (or choose a canned opening).")
        if len(body) > MAX_BODY_LENGTH:
            raise forms.ValidationError(
                f"A reply can be at most {MAX_BODY_LENGTH} characters."
            )
        cleaned["text"] = body
        return cleaned


class PrivacyRequestForm(forms.Form):
    email = forms.EmailField(label="Email address")
