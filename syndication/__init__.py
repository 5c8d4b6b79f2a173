"""Syndication of announcements to the City's social accounts."""
