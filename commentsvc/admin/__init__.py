"""The moderators' UI."""
