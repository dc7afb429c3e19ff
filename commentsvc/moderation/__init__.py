"""Moderation: the rule pipeline, the queue, the audit log."""
