from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from essor.core.roles import Role, has_role
from essor.members import selectors
from essor.members.models import AuthorityKind


def network(request: HttpRequest) -> HttpResponse:
    organisation = selectors.network_organisation()
    members = list(selectors.member_authorities())
    groups = [
        {"label": label, "authorities": [a for a in members if a.kind == kind]}
        for kind, label in AuthorityKind.choices
    ]
    return render(
        request,
        "members/network.html",
        {
            "organisation": organisation,
            "board": selectors.board_positions(organisation) if organisation else [],
            "member_groups": [g for g in groups if g["authorities"]],
            "member_count": len(members),
        },
    )


def authority_detail(request: HttpRequest, slug: str) -> HttpResponse:
    authority = selectors.authority_with_people(slug)
    if authority is None:
        raise Http404("Collectivité introuvable")
    return render(
        request,
        "members/authority_detail.html",
        {
            "authority": authority,
            "territory": authority.territory,
            "positions": list(authority.positions.all()),
            "show_contacts": has_role(request.user, Role.MEMBER),
        },
    )


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
