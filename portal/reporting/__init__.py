"""Figures and files for after the event: the post-event report and the event archive."""
