"""Every write on authorities, organisations, people and positions goes through here."""

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.log_actions import log

from essor.members.models import (
    PROFILE_UPDATE_ACTION,
    Authority,
    AuthorityKind,
    AuthorityUser,
    Dues,
    EssBudget,
    EssFigure,
    Membership,
    Organisation,
    Person,
    PolicyAxis,
    Position,
)
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
    territory: Territory, *, name: str = "", website: str = ""
) -> Authority:
    """The authority of an official territory, created on first use, updated after."""
    authority = Authority.objects.filter(territory=territory).first() or Authority(
        territory=territory, kind=territory.kind
    )
    return _authority_name_and_save(authority, name or territory.name, name, website)


@transaction.atomic
def authority_upsert_for_siren(siren: str, *, name: str, website: str = "") -> Authority:
    """A body the referential does not list (pays, PETR, syndicat), known by its SIREN."""
    authority = Authority.objects.filter(siren=siren).first() or Authority(
        kind=AuthorityKind.OTHER, siren=siren
    )
    return _authority_name_and_save(authority, name, name, website)


def _authority_name_and_save(
    authority: Authority, display: str, name: str, website: str
) -> Authority:
    """Name a new authority (and give it a slug), apply the given name and website, save."""
    if authority.pk is None:
        authority.name = display
        authority.slug = unique_slug(Authority, display)
    if name:
        authority.name = name
    if website:
        authority.website = website
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


@transaction.atomic
def membership_record(
    authority: Authority,
    *,
    joined_on: datetime.date,
    left_on: datetime.date | None = None,
    note: str = "",
) -> Membership:
    """Record a membership period, or update the one that starts that day. Refuses a period
    that ends before it starts or overlaps another one (ValidationError, nothing saved)."""
    membership = Membership.objects.filter(
        authority=authority, joined_on=joined_on
    ).first() or Membership(authority=authority, joined_on=joined_on)
    membership.left_on = left_on
    if note:
        membership.note = note
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def dues_record(
    authority: Authority,
    *,
    year: int,
    amount: object,
    paid_on: datetime.date | None = None,
) -> Dues:
    """Set the dues of a year (one line per authority and year)."""
    dues = Dues.objects.filter(authority=authority, year=year).first() or Dues(
        authority=authority, year=year
    )
    dues.amount = amount
    dues.paid_on = paid_on
    dues.full_clean()
    dues.save()
    return dues


_PROFILE_TEXT_FIELDS = ("website", "address", "ess_context", "ess_programme")


@dataclass(frozen=True)
class ProfileChange:
    field: str
    before: str
    after: str


def _profile_snapshot(authority: Authority) -> dict[str, str]:
    """The profile sheet as labelled strings, to tell what an update changed."""
    snapshot = {
        Authority._meta.get_field(name).verbose_name: getattr(authority, name)
        for name in _PROFILE_TEXT_FIELDS
    }
    snapshot["thèmes"] = ", ".join(sorted(theme.name for theme in authority.themes.all()))
    snapshot["axes d'intervention"] = "\n".join(
        f"{axis.title} — {axis.description}".rstrip(" —") for axis in authority.policy_axes.all()
    )
    snapshot["chiffres de l'ESS"] = "\n".join(str(figure) for figure in authority.ess_figures.all())
    snapshot["budget ESS"] = "\n".join(
        f"{budget.year} : {budget.amount} €" for budget in authority.ess_budgets.all()
    )
    return snapshot


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@transaction.atomic
def profile_update(
    authority: Authority,
    *,
    user: object = None,
    fields: dict[str, str] | None = None,
    themes: Iterable[object] | None = None,
    policy_axes: Iterable[dict] | None = None,
    ess_figures: Iterable[dict] | None = None,
    ess_budgets: Iterable[dict] | None = None,
) -> list[ProfileChange]:
    """Update the profile sheet; each argument left to None is kept as it is. Lists replace
    the current ones. What changed is logged in the authority's history (seen by editors)."""
    before = _profile_snapshot(authority)
    for name, value in (fields or {}).items():
        if name not in _PROFILE_TEXT_FIELDS:
            raise ValueError(f"{name} is not a profile field")
        setattr(authority, name, value)
    if themes is not None:
        authority.themes.set(list(themes))
    _replace_children(authority.policy_axes, PolicyAxis, policy_axes)
    _replace_children(authority.ess_figures, EssFigure, ess_figures)
    _replace_children(authority.ess_budgets, EssBudget, ess_budgets)
    authority.full_clean()
    after = _profile_snapshot(authority)
    changes = [
        ProfileChange(field, _clip(before[field]), _clip(after[field]))
        for field in before
        if before[field] != after[field]
    ]
    if changes:
        authority.profile_updated_at = timezone.now()
        authority.save()
        log(
            instance=authority,
            action=PROFILE_UPDATE_ACTION,
            user=user,
            data={"changes": [asdict(change) for change in changes]},
        )
    return changes


def _replace_children(manager: object, model: type, rows: Iterable[dict] | None) -> None:
    """Replace an authority's lines (axes, figures, budgets) with `rows`, validated first."""
    if rows is None:
        return
    authority = manager.instance
    fresh = [model(authority=authority, **row) for row in rows]
    for index, child in enumerate(fresh):
        if hasattr(child, "sort_order"):
            child.sort_order = index
        child.full_clean(exclude=["authority"], validate_unique=False)
    years = [child.year for child in fresh if model is EssBudget]
    if len(years) != len(set(years)):
        raise ValidationError("Un seul budget ESS par année.")
    manager.all().delete()
    model.objects.bulk_create(fresh)
