"""Absolute addresses for what leaves the site (mails, feeds, calendars)."""

from django.conf import settings


def absolute_url(path: str) -> str:
    """The site's address of `path`; an address that is already absolute is kept."""
    return path if path.startswith(("http://", "https://")) else settings.SITE_URL + path
