"""The news module's public pages in the sitemap (filled by the news pages' work)."""

SITEMAPS: dict = {}
