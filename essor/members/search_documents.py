"""Authorities and people with a public role as the search sees them."""

from django.db.models import Model

from essor.core.search_sources import SearchDocument, SearchSource, owner_key
from essor.core.search_text import plain
from essor.members.models import Authority, Person, Position


def _region(authority: Authority) -> str:
    territory = authority.territory
    if territory is None:
        return ""
    if territory.kind == "region":
        return territory.code
    return territory.region.code if territory.region_id else ""


def _authority_document(authority: Authority) -> SearchDocument:
    axes = [f"{axis.title} {axis.description}" for axis in authority.policy_axes.all()]
    return SearchDocument(
        key=owner_key("authority", authority.pk),
        owner=owner_key("authority", authority.pk),
        kind="authority",
        title=authority.name,
        url=authority.get_absolute_url(),
        text=plain(
            authority.territory.name if authority.territory_id else "",
            authority.get_kind_display(),
            authority.ess_context,
            authority.ess_programme,
            *axes,
        ),
        themes=[theme.slug for theme in authority.themes.all()],
        region=_region(authority),
        level=authority.kind,
    )


def _authorities_query():
    return Authority.objects.select_related("territory__region").prefetch_related(
        "themes", "policy_axes"
    )


def _authorities() -> list[SearchDocument]:
    return [_authority_document(authority) for authority in _authorities_query()]


def _authority_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    found = _authorities_query().filter(pk=instance.pk).first()
    return owner_key("authority", instance.pk), [_authority_document(found)] if found else []


def _person_document(person: Person) -> SearchDocument | None:
    """A person is found by name and by the positions they hold (public roles); contacts are
    for members only and not indexed. A person without a position is not searchable."""
    positions = list(person.positions.all())
    if not positions:
        return None
    lines = [f"{position.title}, {position.body or ''}" for position in positions]
    return SearchDocument(
        key=owner_key("person", person.pk),
        owner=owner_key("person", person.pk),
        kind="person",
        title=person.full_name,
        url=person.get_absolute_url(),
        text=plain("\n".join(lines)),
    )


def _people_query():
    return Person.objects.prefetch_related("positions__authority", "positions__organisation")


def _people() -> list[SearchDocument]:
    documents = (_person_document(person) for person in _people_query())
    return [document for document in documents if document]


def _person_of(instance: Model) -> tuple[str, list[SearchDocument]]:
    person_id = instance.person_id if isinstance(instance, Position) else instance.pk
    found = _people_query().filter(pk=person_id).first()
    document = _person_document(found) if found else None
    return owner_key("person", person_id), [document] if document else []


def _person_owner(instance: Model) -> str:
    return owner_key(
        "person", instance.person_id if isinstance(instance, Position) else instance.pk
    )


def authority_source() -> SearchSource:
    return SearchSource(
        "authority",
        "Collectivités",
        (Authority,),
        _authorities,
        _authority_of,
        lambda instance: owner_key("authority", instance.pk),
    )


def person_source() -> SearchSource:
    return SearchSource(
        "person", "Personnes", (Person, Position), _people, _person_of, _person_owner
    )
