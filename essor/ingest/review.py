"""An editor's decisions on the candidates of a document: accept (create the record or link
the one already known, never a duplicate), correct (the extraction is kept beside the fix),
reject. An accepted candidate points at its record: that is how a record keeps the passage
it comes from (`selectors.record_sources`)."""

import datetime
import io
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from wagtail.actions.create import CreateAction
from wagtail.utils.file import hash_filelike

from essor.core.editorial import unique_slug as initiative_slug
from essor.core.text import fold
from essor.events.models import Event
from essor.ingest.event_review import event_accept, event_correct
from essor.ingest.models import Candidate, CandidateKind, CandidateStatus
from essor.ingest.selectors import initiative_match, organisation_match
from essor.initiatives.models import Initiative
from essor.library.forms import title_from_file_name
from essor.library.models import Publication, PublicationKind
from essor.library.services import publication_create
from essor.members.models import Authority, Organisation, Person, Position, PositionKind
from essor.members.selectors import person_match
from essor.members.services import (
    authority_upsert_for_territory,
    person_get_or_create,
    position_record,
    unique_slug,
)
from essor.territories.models import Territory, TerritoryKind
from essor.territories.selectors import CONFIDENT, resolve, territory_by_code

ALREADY_ACCEPTED = "Ce candidat est déjà accepté : corrigez plutôt la fiche à laquelle il est lié."
# Kinds the queue can accept all at once: their records are found again without a doubt.
BULK_KINDS = (CandidateKind.PERSON, CandidateKind.PLACE)
# Words of a role held by an employee rather than an elected official ("chargée de mission
# ESS"); any other role keeps the positions' default, elected.
_STAFF_WORDS = (
    "charge de mission", "chargee de mission", "chef de projet", "cheffe de projet",
    "chef de service", "cheffe de service", "directeur", "directrice", "responsable",
    "technicien", "technicienne", "coordinateur", "coordinatrice", "animateur", "animatrice",
    "agent", "agente", "salarie", "salariee", "developpeur", "developpeuse",
)  # fmt: skip


# ------------------------------------------------------------------ decisions


@transaction.atomic
def candidate_accept(
    candidate: Candidate, user: object, corrections: dict | None = None
) -> models.Model:
    """Create or link the record the candidate names and mark it accepted; `corrections`
    are applied first (as `candidate_correct`). Accepting twice returns the same record.
    ValueError (French message) for what cannot be accepted, ValidationError for bad data;
    either way nothing is written."""
    _lock(candidate)
    if candidate.status == CandidateStatus.ACCEPTED and candidate.record is not None:
        return candidate.record
    if corrections:
        _correct(candidate, corrections)
    record = _ACCEPT[candidate.kind](candidate, user)
    candidate.status = CandidateStatus.ACCEPTED
    candidate.record = record
    _reviewed(candidate, user)
    candidate.save()
    return record


@transaction.atomic
def candidate_reject(candidate: Candidate, user: object) -> Candidate:
    """Set the candidate aside. A record it had created stays (other pages may use it), but
    no longer cites this passage."""
    _lock(candidate)
    candidate.status = CandidateStatus.REJECTED
    candidate.record_type = None
    candidate.record_id = None
    _reviewed(candidate, user)
    candidate.save()
    return candidate


@transaction.atomic
def candidate_correct(candidate: Candidate, user: object, data: dict) -> Candidate:
    """Replace what the extraction read wrong (fields checked per kind, ValidationError with
    French messages otherwise); the extraction stays under data["extracted"]."""
    _lock(candidate)
    if candidate.status == CandidateStatus.ACCEPTED:
        raise ValidationError(ALREADY_ACCEPTED)
    _correct(candidate, data)
    _reviewed(candidate, user)
    candidate.save()
    return candidate


def candidates_accept_pending(
    candidates: Iterable[Candidate], user: object
) -> tuple[int, list[str]]:
    """Accept each pending candidate of a bulk kind on its own (one refusal does not undo
    the others): how many were accepted, and the French message of each refusal."""
    accepted, errors = 0, []
    for candidate in candidates:
        if candidate.kind not in BULK_KINDS or candidate.status != CandidateStatus.PENDING:
            continue
        try:
            candidate_accept(candidate, user)
        except (ValueError, ValidationError) as error:
            errors.append(f"{candidate.label} : {_message(error)}")
        else:
            accepted += 1
    return accepted, errors


def _lock(candidate: Candidate) -> None:
    """Reload the candidate locked: two editors (or a double click) decide one at a time."""
    candidate.refresh_from_db(from_queryset=Candidate.objects.select_for_update())


def _reviewed(candidate: Candidate, user: object) -> None:
    candidate.reviewed_at = timezone.now()
    candidate.reviewed_by = None if isinstance(user, AnonymousUser) or user is None else user


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def source_text(candidate: Candidate) -> str:
    """How a record cites its source: "Actes de la rencontre 2014, p. 3"."""
    document = candidate.document
    title = document.title or document.file_name
    return f"{title}, p. {candidate.page}" if candidate.page else title


# ------------------------------------------------------------------ accepting, per kind


def _accept_person(candidate: Candidate, user: object) -> Person:
    data = candidate.data
    first_name, last_name = _person_names(data)
    if not last_name:
        raise ValidationError("Le nom de la personne manque : corrigez-le avant d’accepter.")
    person = person_match(first_name, last_name) or person_get_or_create(
        first_name[:100], last_name[:100]
    )
    _contacts_fill(person, data)
    role = (data.get("role") or "").strip()
    body = _body_for(data.get("organisation") or "") if role else None
    if body is not None:
        _position_record(person, role[:250], body, source_text(candidate)[:250])
    return person


def _person_names(data: dict) -> tuple[str, str]:
    first_name = " ".join((data.get("first_name") or "").split())
    last_name = " ".join((data.get("last_name") or "").split())
    if not last_name:
        first_name, _, last_name = " ".join((data.get("name") or "").split()).partition(" ")
        if not last_name:  # a single word is a last name
            first_name, last_name = "", first_name
    return first_name, last_name


def _contacts_fill(person: Person, data: dict) -> None:
    """E-mail and phone from the document fill empty fields only: what an editor typed wins."""
    changed = []
    email = (data.get("email") or "").strip()
    if email and not person.email and _is_email(email):
        person.email = email
        changed.append("email")
    phone = (data.get("phone") or "").strip()
    if phone and not person.phone:
        person.phone = phone[:30]
        changed.append("phone")
    if changed:
        person.save(update_fields=changed)


def _is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def _body_for(text: str) -> Authority | Organisation | None:
    """Where a role is held: the authority of a territory the text surely names, else the
    organisation known under that name or acronym, else a new organisation."""
    text = " ".join(text.split())
    if not text:
        return None
    found = resolve(text, limit=1)
    if found and found[0].score >= CONFIDENT:
        return authority_upsert_for_territory(Territory.objects.get(pk=found[0].territory_id))
    return organisation_match(text) or _organisation_create(text)


def _position_record(
    person: Person, title: str, body: Authority | Organisation, source: str
) -> Position:
    """The person's position there with that title, whatever its dates or the case of its
    title ("Déléguée générale" recorded, "déléguée générale" read), or a new one."""
    at = {"authority": body} if isinstance(body, Authority) else {"organisation": body}
    wanted = fold(title)
    known = next(
        (p for p in Position.objects.filter(person=person, **at) if fold(p.title) == wanted),
        None,
    )
    if known is not None:
        # The first document that gave the position stays its source (or what an editor typed).
        if not known.source:
            known.source = source
            known.save(update_fields=["source"])
        return known
    return position_record(person, title=title, **at, source=source, kind=_position_kind(title))


def _position_kind(title: str) -> str:
    folded = f" {fold(title)} "
    if any(f" {word} " in folded for word in _STAFF_WORDS):
        return PositionKind.STAFF
    return PositionKind.ELECTED


def _accept_place(candidate: Candidate, user: object) -> Authority:
    """The authority of the territory: a territory named under a former name ("Région
    Aquitaine") is today's one, so its authority is found again, not duplicated."""
    territory = _territory(candidate.data.get("kind", ""), candidate.data.get("code", ""))
    return authority_upsert_for_territory(territory)


def _territory(kind: str, code: str) -> Territory:
    territory = territory_by_code(kind, code) if kind and code else None
    if territory is None:
        raise ValidationError(
            f"Aucun territoire du référentiel n’a le niveau « {kind} » et le code « {code} »."
        )
    return territory


def _accept_organisation(candidate: Candidate, user: object) -> Organisation:
    name = " ".join((candidate.data.get("name") or candidate.label).split())
    acronym = " ".join((candidate.data.get("acronym") or "").split())[:40]
    organisation = organisation_match(name, acronym)
    if organisation is None:
        return _organisation_create(name, acronym)
    if acronym and not organisation.acronym:
        organisation.acronym = acronym
        organisation.save(update_fields=["acronym"])
    return organisation


def _organisation_create(name: str, acronym: str = "") -> Organisation:
    organisation = Organisation(
        name=name[:250], acronym=acronym[:40], slug=unique_slug(Organisation, name)
    )
    organisation.full_clean()
    organisation.save()
    return organisation


def _accept_initiative(candidate: Candidate, user: object) -> Initiative:
    """The initiative of that name, or a new draft for an editor to complete and publish."""
    name = " ".join((candidate.data.get("name") or candidate.label).split())[:200]
    known = initiative_match(name)
    if known is not None:
        return known
    initiative = Initiative(
        name=name,
        slug=initiative_slug(Initiative, name),
        summary=f"À rédiger : initiative relevée dans « {source_text(candidate)} ».",
    )
    return CreateAction(initiative, user=_user_or_none(user)).execute(skip_permission_checks=True)


def _accept_publication(candidate: Candidate, user: object) -> Publication:
    """The library's draft publication of the document's file: one per document, and the
    one already made from the same file (deposited in the library, say) is reused."""
    linked = (
        candidate.document.candidates.filter(
            kind=CandidateKind.PUBLICATION, record_id__isnull=False
        )
        .exclude(pk=candidate.pk)
        .first()
    )
    if linked is not None and linked.record is not None:
        return linked.record
    content = _document_bytes(candidate)
    known = Publication.objects.filter(
        document__file_hash=hash_filelike(io.BytesIO(content))
    ).first()
    if known is not None:
        return known
    data, document = candidate.data, candidate.document
    kind = data.get("kind") or ""
    title = data.get("title") or document.title or title_from_file_name(document.file_name)
    return publication_create(
        file_name=document.file_name,
        data=content,
        kind=kind if kind in PublicationKind.values else PublicationKind.OTHER,
        title=title[:300] or "Publication sans titre",
        date=_date(data.get("date")),
        user=_user_or_none(user),
    )


def _accept_event(candidate: Candidate, user: object) -> Event:
    return event_accept(candidate.data, source_text(candidate), _user_or_none(user))


def _document_bytes(candidate: Candidate) -> bytes:
    file = candidate.document.file
    if not file:
        raise ValueError("Le fichier de ce document n’a pas été conservé : déposez-le à nouveau.")
    try:
        with file.open("rb") as stream:
            return stream.read()
    except FileNotFoundError:
        raise ValueError(
            "Le fichier de ce document est introuvable : déposez-le à nouveau."
        ) from None


def _date(value: object) -> datetime.date | None:
    if not value:
        return None
    try:
        return parse_date(str(value))
    except ValueError:
        return None


def _user_or_none(user: object) -> object | None:
    return user if getattr(user, "pk", None) else None


_ACCEPT: dict[str, Callable[[Candidate, object], models.Model]] = {
    CandidateKind.PERSON: _accept_person,
    CandidateKind.PLACE: _accept_place,
    CandidateKind.ORGANISATION: _accept_organisation,
    CandidateKind.INITIATIVE: _accept_initiative,
    CandidateKind.PUBLICATION: _accept_publication,
    CandidateKind.EVENT: _accept_event,
}


# ------------------------------------------------------------------ corrections, per kind


def _correct(candidate: Candidate, fields: dict) -> None:
    """Check the fields of the candidate's kind, keep the extraction once, apply the fix."""
    correct = _CORRECT.get(candidate.kind)
    if correct is None:
        raise ValidationError("Ce type de candidat ne se corrige pas ici.")
    allowed = _FIELDS[candidate.kind]
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Champs inconnus : {', '.join(sorted(unknown))}.")
    cleaned = {name: _text(value) for name, value in fields.items()}
    data = dict(candidate.data)
    data.setdefault("extracted", {k: v for k, v in candidate.data.items() if k != "extracted"})
    candidate.label = correct(data, cleaned)[:300]
    candidate.data = data


def _text(value: object) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value or "").split())


def _required(cleaned: dict, name: str, label: str, data: dict, max_length: int) -> str:
    value = cleaned.get(name, data.get(name) or "")
    if not value:
        raise ValidationError({name: f"{label} est obligatoire."})
    if len(value) > max_length:
        raise ValidationError({name: f"{label} dépasse {max_length} caractères."})
    return value


def _optional(cleaned: dict, name: str, label: str, max_length: int) -> None:
    if len(cleaned.get(name, "")) > max_length:
        raise ValidationError({name: f"{label} dépasse {max_length} caractères."})


def _correct_person(data: dict, cleaned: dict) -> str:
    if "name" in cleaned and not ({"first_name", "last_name"} & set(cleaned)):
        cleaned["first_name"], cleaned["last_name"] = _person_names({"name": cleaned["name"]})
    cleaned.pop("name", None)
    last_name = _required(cleaned, "last_name", "Le nom", data, 100)
    _optional(cleaned, "first_name", "Le prénom", 100)
    _optional(cleaned, "role", "La fonction", 250)
    _optional(cleaned, "organisation", "L’organisation", 250)
    data.update(cleaned)
    data["name"] = f"{data.get('first_name') or ''} {last_name}".strip()
    return data["name"]


def _correct_place(data: dict, cleaned: dict) -> str:
    kind = cleaned.get("kind", data.get("kind") or "")
    if kind not in TerritoryKind.values:
        raise ValidationError({"kind": "Choisissez un niveau de territoire du référentiel."})
    code = cleaned.get("code", data.get("code") or "")
    try:
        territory = _territory(kind, code)
    except ValidationError as error:
        raise ValidationError({"code": error.messages}) from None
    # An editor's choice is certain: the resolver's score no longer applies.
    data.update(kind=kind, code=territory.code, name=territory.name, score=1.0)
    return territory.name


def _correct_organisation(data: dict, cleaned: dict) -> str:
    data["name"] = _required(cleaned, "name", "Le nom", data, 250)
    if "acronym" in cleaned:
        _optional(cleaned, "acronym", "Le sigle", 40)
        data["acronym"] = cleaned["acronym"]
    return data["name"]


def _correct_initiative(data: dict, cleaned: dict) -> str:
    data["name"] = _required(cleaned, "name", "Le nom", data, 200)
    return data["name"]


def _correct_publication(data: dict, cleaned: dict) -> str:
    data["title"] = _required(cleaned, "title", "Le titre", data, 300)
    if "kind" in cleaned:
        if cleaned["kind"] not in PublicationKind.values:
            raise ValidationError({"kind": "Choisissez un type de publication de la liste."})
        data["kind"] = cleaned["kind"]
    if "date" in cleaned:
        data["date"] = _date_checked(cleaned["date"])
    return data["title"]


def _date_checked(value: str) -> str | None:
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"date": "Donnez une date valide (AAAA-MM-JJ)."})
    return day.isoformat()


_CORRECT: dict[str, Callable[[dict, dict], str]] = {
    CandidateKind.PERSON: _correct_person,
    CandidateKind.PLACE: _correct_place,
    CandidateKind.ORGANISATION: _correct_organisation,
    CandidateKind.INITIATIVE: _correct_initiative,
    CandidateKind.PUBLICATION: _correct_publication,
    CandidateKind.EVENT: lambda data, cleaned: event_correct(data, cleaned, _required),
}
_FIELDS: dict[str, set[str]] = {
    CandidateKind.PERSON: {"name", "first_name", "last_name", "role", "organisation"},
    CandidateKind.PLACE: {"kind", "code"},
    CandidateKind.ORGANISATION: {"name", "acronym"},
    CandidateKind.INITIATIVE: {"name"},
    CandidateKind.PUBLICATION: {"title", "kind", "date"},
    CandidateKind.EVENT: {"title", "kind", "date", "end_date"},
}
