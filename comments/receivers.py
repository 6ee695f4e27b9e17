"""Receivers for the comment signals. They only schedule work; tasks do it."""
