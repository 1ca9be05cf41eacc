"""Public pages of the library: the list of publications, a publication with its text page
by page, and its file. The file and the text of a members-only publication are for members
of the network; other visitors see what it is about and how to get it."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from essor.core.caching import cache_public_page
from essor.library import selectors
from essor.library.models import Publication, TextStatus


@cache_public_page
def publication_list(request: HttpRequest) -> HttpResponse:
    form = selectors.LibraryFilterForm(request.GET or None)
    filters = form.filters()
    page = Paginator(selectors.publications_matching(filters), selectors.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "library/publication_list.html",
        {"form": form, "filters": filters, "page": page, "publications": list(page.object_list)},
    )


def _published_or_404(slug: str) -> Publication:
    publication = selectors.published_publication(slug)
    if publication is None:
        raise Http404("Publication introuvable")
    return publication


@cache_public_page
def publication_detail(request: HttpRequest, slug: str) -> HttpResponse:
    publication = _published_or_404(slug)
    readable = selectors.may_read(request.user, publication)
    has_text = readable and publication.text_status == TextStatus.EXTRACTED
    form = selectors.TextRangeForm(request.GET or None)
    problems = _form_problems(form)
    data = form.cleaned_data if form.is_bound else {}
    page_count = publication.page_count
    if has_text and data.get("page"):
        if data["page"] <= page_count:
            # A cited page (`?page=12`): to the screen that holds it, at its anchor.
            return HttpResponseRedirect(selectors.page_address(publication, data["page"]))
        problems.append(f"Page : cette publication a {page_count} page(s), pas {data['page']}.")
    screen = selectors.screen_of(1, page_count)
    if has_text and data.get("pages"):
        asked = selectors.parse_screen(data["pages"], page_count)
        if asked is None:
            problems.append("Pages affichées : ces pages ne sont pas dans la publication.")
        screen = asked or screen
    return render(
        request,
        "library/publication_detail.html",
        {
            # `object` is the name Wagtail's preview gives the publication: one template.
            "object": publication,
            "reading": {
                "readable": readable,
                "file": selectors.file_facts(publication) if readable else None,
                "pages": selectors.text_pages(publication, screen) if has_text else [],
                "screen": screen,
                "screens": (
                    selectors.all_screens(page_count) if has_text and not screen.is_whole else []
                ),
                "problems": problems,
            },
        },
    )


def _form_problems(form: selectors.TextRangeForm) -> list[str]:
    """What was not understood in the address, in French (each is ignored)."""
    if not form.is_bound or form.is_valid():
        return []
    return [
        f"{form.fields[name].label} : {error}"
        for name, errors in form.errors.items()
        for error in errors
    ]


def publication_file(request: HttpRequest, slug: str) -> HttpResponse:
    """The publication's file, under a clean name; refused to non-members when it is
    members-only (anonymous visitors are asked to log in)."""
    publication = _published_or_404(slug)
    document = publication.document
    if document is None:
        raise Http404("Cette publication n'a pas de fichier")
    if not selectors.may_read(request.user, publication):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied("Publication réservée aux membres du réseau")
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("Le fichier de cette publication est introuvable") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=selectors.download_filename(publication),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    if publication.members_only:  # no shared cache (proxy) may keep the members' copy
        patch_cache_control(response, private=True)
    return response
