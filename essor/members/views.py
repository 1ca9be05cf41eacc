import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from essor.core.caching import cache_public_page, remember
from essor.core.navigation import member_space_panels
from essor.core.paths import path_of
from essor.core.permissions import member_required
from essor.core.roles import Role, has_role
from essor.members import selectors, services
from essor.members.directory import (
    PAGE_SIZE,
    DirectoryFilterForm,
    DirectoryRows,
    directory,
    directory_rows,
)
from essor.members.directory_form import directory_query
from essor.members.forms import MemberCountDateForm, ProfileForm, profile_formsets
from essor.members.maps import (
    member_areas,
    member_map_legend,
    member_map_svg,
    member_map_table_rows,
)
from essor.members.models import AuthorityKind
from essor.members.sheet import sheet_context
from essor.territories.maps import map_attribution


@cache_public_page
def network(request: HttpRequest) -> HttpResponse:
    organisation = selectors.network_organisation()
    date_form = MemberCountDateForm(request.GET or None)
    on = date_form.cleaned_data["au"] if date_form.is_valid() else None
    per_kind = selectors.member_counts_by_kind(on=on)
    counts_by_year = remember("member-counts-by-year", selectors.member_counts_by_year)
    by_level = [
        {"label": label, "count": per_kind.get(kind, 0)} for kind, label in AuthorityKind.choices
    ]
    return render(
        request,
        "members/network.html",
        {
            "organisation": organisation,
            "board": selectors.board_positions(organisation) if organisation else [],
            "member_count": sum(per_kind.values()),
            "date_form": date_form,
            "on": on,
            "members_by_level": [level for level in by_level if level["count"]],
            "counts_by_year": counts_by_year,
            "member_count_max": max((row["count"] for row in counts_by_year), default=0) or 1,
        },
    )


@cache_public_page
def member_directory(request: HttpRequest) -> HttpResponse:
    query = directory_query(request.GET, path_of("members:directory"))
    page = Paginator(DirectoryRows(query.filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/directory.html",
        {
            "filter_form": query.form_html,
            "filters": query.filters,
            "page": page,
            "lines": page.object_list,
            "rows": directory_rows(page.object_list),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "nom",
    "niveau",
    "code_officiel",
    "siren",
    "departement",
    "region",
    "population",
    "adhesion",
    "site",
    "fiche",
]


def directory_export(request: HttpRequest) -> StreamingHttpResponse:
    """The directory as filtered on screen, as CSV (public data only: no personal contact)."""
    form = DirectoryFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    rows = directory(form.filters()).iterator(chunk_size=500)
    writer = csv.writer(_Echo(), delimiter=";")

    def lines():
        yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
        for authority in rows:
            yield writer.writerow(_export_row(request, authority))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="adherentes-{stamp}.csv"'
    return response


def _export_row(request: HttpRequest, authority: object) -> list:
    territory = authority.territory
    return [
        authority.name,
        authority.get_kind_display(),
        territory.code if territory else "",
        authority.siren or (territory.siren if territory else ""),
        territory.departement.name if territory and territory.departement else "",
        territory.region.name if territory and territory.region else "",
        territory.population or "" if territory else "",
        authority.first_joined.isoformat() if authority.first_joined else "",
        authority.website,
        request.build_absolute_uri(authority.get_absolute_url()),
    ]


@cache_public_page
def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    authority = selectors.authority_sheet(slug)
    if authority is None:
        raise Http404("Collectivité introuvable")
    return render(request, "members/authority_detail.html", sheet_context(request, authority))


@cache_public_page
def board(request: HttpRequest) -> HttpResponse:
    organisation = selectors.network_organisation()
    return render(
        request,
        "members/board.html",
        {
            "organisation": organisation,
            "boards": selectors.boards_by_date(organisation) if organisation else [],
            "assemblies": selectors.general_assemblies(organisation) if organisation else [],
        },
    )


@cache_public_page
def person_detail(request: HttpRequest, slug: str) -> HttpResponse:
    person = selectors.person_with_positions(slug)
    if person is None:
        raise Http404("Personne introuvable")
    return render(
        request,
        "members/person_detail.html",
        {
            "person": person,
            "positions": list(person.positions.all()),
            "show_contacts": has_role(request.user, Role.MEMBER),
        },
    )


@member_required
def member_space(request: HttpRequest) -> HttpResponse:
    authority = selectors.authority_of_user(request.user)
    return render(
        request,
        "members/member_space.html",
        {
            "authority": authority,
            "history": selectors.profile_history(authority) if authority else [],
            "panels": member_space_panels(request),
        },
    )


@member_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    authority = selectors.authority_of_user(request.user)
    if authority is None:
        messages.error(request, "Votre compte n'est rattaché à aucune collectivité.")
        return redirect("members:member_space")
    data = request.POST if request.method == "POST" else None
    form = ProfileForm(data, instance=authority)
    formsets = profile_formsets(authority, data)
    if data is not None and form.is_valid() and all(f.is_valid() for f in formsets.values()):
        try:
            changes = services.profile_update(
                # A fresh copy: the form already wrote the new values on `authority`, and
                # the service needs the old ones to tell what changed.
                selectors.authority_of_user(request.user),
                user=request.user,
                fields={name: form.cleaned_data[name] for name in ProfileForm.Meta.fields[:-1]},
                themes=form.cleaned_data["themes"],
                policy_axes=formsets["axes"].rows(),
                ess_figures=formsets["figures"].rows(),
                ess_budgets=formsets["budgets"].rows(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changes:
                messages.success(request, "La fiche de votre collectivité a été mise à jour.")
            else:
                messages.info(request, "Aucune modification : la fiche est inchangée.")
            return redirect(authority.get_absolute_url())
    return render(
        request,
        "members/profile_edit.html",
        {
            "authority": authority,
            "form": form,
            "formsets": formsets,
            "lines_have_errors": data is not None
            and any(f.total_error_count() for f in formsets.values()),
        },
    )


@cache_public_page
def member_map(request: HttpRequest) -> HttpResponse:
    # Computed on every request (two queries, pre-rendered geometry): cheap enough uncached.
    areas = member_areas()
    listed = [region for region in areas if region.departements or region.count]
    return render(
        request,
        "members/map.html",
        {
            "areas": listed,
            "table_rows": member_map_table_rows(listed),
            "map": member_map_svg(areas),
            "legend": member_map_legend(areas),
            "member_count": sum(region.count for region in areas),
            "attribution": map_attribution(),
        },
    )
