"""Every write on authorities, organisations, people and positions goes through here."""

import datetime

from django.db import transaction
from django.utils.text import slugify

from essor.members.models import Authority, AuthorityUser, Organisation, Person, Position
from essor.territories.models import Territory


def unique_slug(
    model: type, text: str, *, exclude_pk: int | None = None, max_length: int = 110
) -> str:
    """A slug for `text` not yet used by another row of `model` (suffixes -2, -3…)."""
    base = slugify(text)[:max_length].strip("-") or "sans-nom"
    candidate, counter = base, 2
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    while taken.filter(slug=candidate).exists():
        candidate = f"{base}-{counter}"
        counter += 1
    return candidate


@transaction.atomic
def authority_upsert_for_territory(
    territory: Territory,
    *,
    name: str = "",
    website: str = "",
    is_member: bool | None = None,
    member_since: datetime.date | None = None,
) -> Authority:
    """The authority of an official territory, created on first use, updated after."""
    authority = Authority.objects.filter(territory=territory).first()
    if authority is None:
        display = name or territory.name
        authority = Authority(
            territory=territory,
            kind=territory.kind,
            name=display,
            slug=unique_slug(Authority, display),
        )
    if name:
        authority.name = name
    if website:
        authority.website = website
    if is_member is not None:
        authority.is_member = is_member
    if member_since is not None:
        authority.member_since = member_since
    authority.full_clean()
    authority.save()
    return authority


@transaction.atomic
def organisation_upsert(key: str, *, name: str, **fields: object) -> Organisation:
    """Create or update the organisation known by `key` (its slug)."""
    organisation, _ = Organisation.objects.update_or_create(
        slug=slugify(key), defaults={"name": name, **fields}
    )
    return organisation


@transaction.atomic
def person_get_or_create(first_name: str, last_name: str) -> Person:
    """One record per person: same first and last name (case-insensitive) is the same person."""
    person = Person.objects.filter(
        first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip()
    ).first()
    if person is None:
        person = Person.objects.create(
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            slug=unique_slug(Person, f"{first_name} {last_name}"),
        )
    return person


@transaction.atomic
def position_record(
    person: Person,
    *,
    title: str,
    authority: Authority | None = None,
    organisation: Organisation | None = None,
    **fields: object,
) -> Position:
    """Record a position, or update the one the person already holds with that title there
    from the same start date (the same title held again later is another position)."""
    start_date = fields.pop("start_date", None)
    position = Position.objects.filter(
        person=person,
        authority=authority,
        organisation=organisation,
        title=title,
        start_date=start_date,
    ).first() or Position(
        person=person,
        authority=authority,
        organisation=organisation,
        title=title,
        start_date=start_date,
    )
    for name, value in fields.items():
        setattr(position, name, value)
    position.full_clean()  # a clear French message rather than a database error
    position.save()
    return position


@transaction.atomic
def member_user_attach(
    user: object, authority: Authority, person: Person | None = None
) -> AuthorityUser:
    """Attach an account to the authority it acts for (one authority per account)."""
    link, _ = AuthorityUser.objects.update_or_create(
        user=user, defaults={"authority": authority, "person": person}
    )
    return link
