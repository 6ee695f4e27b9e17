"""Errors as JSON with the messages the site's own forms show."""

from django.forms.forms import NON_FIELD_ERRORS


class FormRefused(Exception):
    """A request the site's form for the same action refuses: its messages, field by field."""

    def __init__(self, form):
        super().__init__("The request was refused.")
        self.form = form

    def problem(self):
        errors = [
            {"field": "" if field == NON_FIELD_ERRORS else field, "message": message}
            for field, messages in self.form.errors.items()
            for message in messages
        ]
        return {"message": errors[0]["message"], "errors": errors}


def validation_problem(errors):
    """Return ninja's validation errors (a wrong type, a missing field) as a Problem."""
    found = []
    for error in errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query")
        ]
        found.append(
            {"field": ".".join(location), "message": error.get("msg", "Invalid value.")}
        )
    return {
        "message": "The request is not what this endpoint reads: "
        + "; ".join(
            f"{item['field'] or 'request'}: {item['message']}" for item in found
        ),
        "errors": found,
    }
