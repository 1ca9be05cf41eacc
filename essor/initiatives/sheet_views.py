"""Public pages of the "Déniché pour vous" practice sheets: the list by theme, a sheet, and the
sheet as a PDF to hand out. Contacts of resource persons are shown to members only, on the
page as in the PDF."""

from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from essor.core import pdf
from essor.core.caching import cache_public_page, remember
from essor.core.models import NetworkSettings
from essor.initiatives.models import PracticeSheet
from essor.initiatives.sheet_selectors import (
    SheetFilterForm,
    can_see_contacts,
    published_sheet,
    sheet_pdf_url,
    sheets_by_theme,
)

PDF_TEMPLATE = "initiatives/sheet_pdf.html"


@cache_public_page
def sheet_list(request: HttpRequest) -> HttpResponse:
    form = SheetFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    groups = sheets_by_theme(filters)
    return render(
        request,
        "initiatives/sheet_list.html",
        {
            "form": form,
            "filters": filters,
            "groups": groups,
            "sheet_count": sum(len(group.sheets) for group in groups),
        },
    )


def _sheet_or_404(number: int) -> PracticeSheet:
    sheet = published_sheet(number)
    if sheet is None:
        raise Http404("Fiche introuvable")
    return sheet


@cache_public_page
def sheet_detail(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    sheet = _sheet_or_404(number)
    if slug != sheet.slug:
        return HttpResponsePermanentRedirect(sheet.get_absolute_url())
    return render(
        request,
        "initiatives/sheet_detail.html",
        {
            # `object` is the name Wagtail's preview gives the sheet: one template for both.
            "object": sheet,
            "sheet": sheet,
            "show_contacts": can_see_contacts(request.user),
        },
    )


def sheet_pdf(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    sheet = _sheet_or_404(number)
    if slug != sheet.slug:
        return HttpResponsePermanentRedirect(sheet_pdf_url(sheet))
    show_contacts = can_see_contacts(request.user)
    audience = "members" if show_contacts else "public"
    # Rendering takes a good part of a second: each version is kept until the content changes
    # (per host: the PDF's links carry the site's address).
    content = remember(
        f"sheet-pdf:{request.get_host()}:{sheet.pk}:{audience}",
        lambda: render_sheet_pdf(sheet, request, show_contacts=show_contacts),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{sheet_pdf_filename(sheet)}"'
    if show_contacts:  # personal data: no shared cache (proxy) may keep the members' copy
        patch_cache_control(response, private=True)
    return response


def sheet_pdf_filename(sheet: PracticeSheet) -> str:
    return f"deniche-pour-vous-{sheet.number}-{sheet.slug}.pdf"


def render_sheet_pdf(sheet: PracticeSheet, request: HttpRequest, *, show_contacts: bool) -> bytes:
    """The sheet as a PDF, rendered now (no cache)."""
    return pdf.render_pdf(PDF_TEMPLATE, sheet_pdf_context(sheet, request, show_contacts), request)


def sheet_pdf_context(sheet: PracticeSheet, request: HttpRequest, show_contacts: bool) -> dict:
    return {
        "sheet": sheet,
        "network": NetworkSettings.load(request_or_site=request),
        "show_contacts": show_contacts,
        "page_url": request.build_absolute_uri(sheet.get_absolute_url()),
    }
