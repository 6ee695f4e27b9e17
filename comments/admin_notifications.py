"""Admin for Notification records: read-only, answers "did Gunther get the email?"."""
