"""PDF documents rendered from Django templates with WeasyPrint, without any network access.

WeasyPrint fetches every stylesheet and image a template refers to; left to itself it would
follow any URL, including ones an editor typed into rich text. `StaticFilesFetcher` serves our
own static files from disk (the collected copy first, then the apps' folders through the
finders, as in development) and refuses everything else, so rendering never leaves the machine.
Nothing here is specific to practice sheets: other modules' PDFs can use `render_pdf`.
"""

import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils._os import safe_join
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Used when no request gives the site's address (scripts, benchmarks): links in the PDF
# are then relative to a name that never resolves.
FALLBACK_BASE_URL = "https://essor.invalid/"


class StaticFilesFetcher(URLFetcher):
    """Fetches only files under STATIC_URL, from disk; any other URL is refused."""

    def __init__(self, base_url: str) -> None:
        super().__init__(allowed_protocols=("http", "https"), allow_redirects=False)
        self.prefixes = _static_prefixes(base_url)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        name = self.static_name(url)
        path = _static_file(name) if name else None
        if path is None:
            # WeasyPrint catches this, logs it and renders without the resource.
            raise ValueError(f"Ressource refusée (hors des fichiers statiques) : {url}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), headers={"Content-Type": content_type})

    def static_name(self, url: str) -> str | None:
        """The static file name a URL stands for, or None when it is not one of ours."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        bare = f"{parts.scheme}://{parts.netloc}{parts.path}"
        for prefix in self.prefixes:
            if bare.startswith(prefix):
                name = posixpath.normpath(unquote(bare[len(prefix) :]))
                if name.startswith(("/", "..")) or name == ".":
                    return None
                return name
        return None


def _static_prefixes(base_url: str) -> tuple[str, ...]:
    static_url = settings.STATIC_URL or "/static/"
    if urlsplit(static_url).scheme:  # static files served from another host (a CDN)
        return (static_url,)
    return (base_url.rstrip("/") + "/" + static_url.lstrip("/"),)


def _static_file(name: str) -> Path | None:
    """The file for a static name: the collected copy (hashed names included), else the
    app's own file (development, tests)."""
    if settings.STATIC_ROOT:
        try:
            collected = Path(safe_join(str(settings.STATIC_ROOT), name))
        except ValueError:  # the name escapes STATIC_ROOT
            return None
        if collected.is_file():
            return collected
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def base_url_for(request: HttpRequest | None) -> str:
    """The site's address, which relative links and static URLs are resolved against."""
    return request.build_absolute_uri("/") if request is not None else FALLBACK_BASE_URL


def render_document(
    template_name: str, context: dict, request: HttpRequest | None = None
) -> weasyprint.Document:
    """The laid-out document (pages, boxes) for a template: for callers that need to
    inspect it (page count, text) before writing the PDF."""
    html = render_to_string(template_name, context, request=request)
    return html_document(html, base_url_for(request))


def html_document(html: str, base_url: str) -> weasyprint.Document:
    """The laid-out document for HTML already rendered (outside a request: background tasks
    give the site's address as `base_url`)."""
    return weasyprint.HTML(
        string=html, base_url=base_url, url_fetcher=StaticFilesFetcher(base_url)
    ).render()


def render_pdf(template_name: str, context: dict, request: HttpRequest | None = None) -> bytes:
    """A template rendered as a PDF document (bytes)."""
    return render_document(template_name, context, request).write_pdf()
