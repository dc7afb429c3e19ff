"""The reader side: posting, threads, embedding."""
