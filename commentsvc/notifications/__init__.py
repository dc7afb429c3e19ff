"""E-mail notifications: moderators (queue size, reports) and readers (replies)."""
