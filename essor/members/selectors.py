"""Reads on the network's people and bodies, for views and other modules."""

from django.db.models import Count, Prefetch, Q, QuerySet

from essor.members.models import Authority, AuthorityUser, BoardRole, Organisation, Person, Position

NETWORK_ORGANISATION_KIND = "network"
_BOARD_ORDER = [role.value for role in BoardRole]


def authority_of_user(user: object) -> Authority | None:
    """The authority a member user acts for, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    link = AuthorityUser.objects.select_related("authority").filter(user=user).first()
    return link.authority if link else None


def network_organisation() -> Organisation | None:
    """The network that runs this site (the first organisation of kind network with a board)."""
    return (
        Organisation.objects.filter(kind=NETWORK_ORGANISATION_KIND)
        .annotate(board=Count("positions", filter=~Q(positions__board_role="")))
        .order_by("-board", "pk")
        .first()
    )


def board_positions(organisation: Organisation) -> list[Position]:
    """The latest board of the network, president first."""
    positions = list(
        Position.objects.filter(organisation=organisation)
        .exclude(board_role="")
        .select_related("person")
        .order_by("-start_date", "person__last_name")
    )
    if not positions:
        return []
    latest = positions[0].start_date
    board = [p for p in positions if p.start_date == latest]
    return sorted(board, key=lambda p: (_BOARD_ORDER.index(p.board_role), p.person.last_name))


def member_authorities() -> QuerySet[Authority]:
    return Authority.objects.filter(is_member=True).select_related("territory").order_by("name")


def authority_with_people(slug: str) -> Authority | None:
    return (
        Authority.objects.select_related(
            "territory", "territory__region", "territory__departement", "territory__epci"
        )
        .prefetch_related(
            Prefetch(
                "positions",
                Position.objects.select_related("person").order_by(
                    "-start_date", "person__last_name"
                ),
            )
        )
        .filter(slug=slug)
        .first()
    )


def person_with_positions(slug: str) -> Person | None:
    return (
        Person.objects.prefetch_related(
            Prefetch(
                "positions",
                Position.objects.select_related("authority", "organisation").order_by(
                    "-start_date"
                ),
            )
        )
        .filter(slug=slug)
        .first()
    )


def network_figures() -> list[dict]:
    """Figures shown on the home page."""
    members = Authority.objects.filter(is_member=True).count()
    people = Person.objects.count()
    figures = []
    if members:
        figures.append({"value": members, "label": "collectivités adhérentes"})
    if people:
        figures.append({"value": people, "label": "élu·es et technicien·nes référencé·es"})
    return figures
