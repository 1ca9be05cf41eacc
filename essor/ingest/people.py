"""People named in a document, with their role and organisation, once per person.

Two sources agree: the layout of this genre of document ("Name, role, organisation" on a line
of its own, after a bullet or a label such as "Animation :" or "Élue :", or in a list of
thanks), and spaCy's named entities (PER) for names inside the prose. A name alone in prose is
kept only when the model and the name's shape agree; a name in a structured position is kept
when it has the shape of a name and is followed by a role or preceded by a label."""

import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from essor.core.text import fold
from essor.ingest.cleaning import LABEL, Line
from essor.ingest.nlp import given_name_likeness

# Below this, a capitalised word the model tags inside a person's name is rather a place or
# an institution ("Azur Provence", "Leroy Merlin"); given names score 0.55–0.85.
GIVEN_NAME_LIKENESS = 0.45

_UPPER = "A-ZÀÂÄÉÈÊËÎÏÔÖÛÜÙÇŒ"
_LOWER = "a-zàâäéèêëîïôöûüùçœñ"
_GIVEN = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}][{_LOWER}]+)?"
_SURNAME_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{2,}})(?:-(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{2,}}))*"
)
_PARTICLE = r"(?:(?:de|du|des|van|von|da|di|le|la|d['’]|De|Du|Le|La|Van|Von|Da|Di|Mac|Mc)\s?)"
# First name (maybe two: "Marie France"), then a surname of one or two words, particles
# allowed ("Anne Le Tellier", "Jean de La Fontaine").
NAME = re.compile(
    rf"(?<![\w{_UPPER}])(?P<name>{_GIVEN}(?:\s{_GIVEN})?\s(?:{_PARTICLE})?{_SURNAME_WORD}"
    rf"(?:\s(?:{_PARTICLE})?{_SURNAME_WORD})?)(?![\w'’])"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")

# Labels that introduce a person in programmes and info sheets.
_STRUCTURED_BEFORE = re.compile(r"(?:^|[,;:]\s*|\bet\s|\bà\s|\bpar\s|\bnotamment\s(?:à\s)?)$")

_ROLE_WORDS = (
    "président",
    "présidente",
    "vice-président",
    "vice-présidente",
    "conseiller",
    "conseillère",
    "chargé",
    "chargée",
    "directeur",
    "directrice",
    "délégué",
    "déléguée",
    "responsable",
    "maire",
    "adjoint",
    "adjointe",
    "élu",
    "élue",
    "chef",
    "cheffe",
    "coordinateur",
    "coordinatrice",
    "coordonnateur",
    "coordonnatrice",
    "animateur",
    "animatrice",
    "chercheur",
    "chercheuse",
    "professeur",
    "professeure",
    "fondateur",
    "fondatrice",
    "gérant",
    "gérante",
    "administrateur",
    "administratrice",
    "trésorier",
    "trésorière",
    "secrétaire",
    "membre",
    "député",
    "députée",
    "sénateur",
    "sénatrice",
    "ministre",
    "dga",
    "dgs",
    "directeur général",
    "sociologue",
    "économiste",
    "consultant",
    "consultante",
    "co-fondateur",
    "co-fondatrice",
    "cofondateur",
    "cofondatrice",
    "salarié",
    "salariée",
    "technicien",
    "technicienne",
    "agent",
    "ingénieur",
    "ingénieure",
    "doctorant",
    "doctorante",
    "enseignant",
    "enseignante",
    "pilote",
    "référent",
    "référente",
    "porteur",
    "porteuse",
    "co-président",
    "co-présidente",
)
_ROLE_START = re.compile(
    r"^(?:"
    + "|".join(re.escape(word) for word in sorted(_ROLE_WORDS, key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
# Where an organisation starts inside "role organisation" written without a comma.
_ORGANISATION_START = re.compile(
    r"\b(?:(?:du|de la|de l['’]|des|de|à la|au)\s+)?(?P<org>(?:conseil (?:régional|général|"
    r"départemental|municipal)|communauté (?:d['’]agglomération|urbaine|de communes)|"
    r"métropole|ville|mairie|région|département|pays|association|réseau|université|pôle|"
    r"agence|chambre|fédération|union|collectif|fondation|caisse|cress?|cnfpt|rtes|"
    r"syndicat|scic|scop|ptce|atelier)\b.*)",
    re.IGNORECASE,
)
_ACRONYM_ORGANISATION = re.compile(
    rf"(?:\b(?:du|de la|de l['’]|des|de)\s+)?(?P<org>\b[{_UPPER}]{{3,}}\b.*)$"
)
# "vice-président de Brest Métropole", "professeur à l'Université de…": a proper noun after a
# preposition starts the organisation.
_PROPER_ORGANISATION = re.compile(
    rf"\b(?:du|de la|de l['’]|des|de|d['’]|à la|à l['’]|au)\s?(?P<org>[{_UPPER}].*)$"
)
# Acronyms of notions (the ESS, insertion…) that are not an organisation.
_NOTION_ACRONYMS = frozenset(
    ["ESS", "IAE", "ESUS", "SCIC", "SCOP", "PTCE", "DGA", "DGS", "EPCI", "QPV"]
)
_NOTION_WORDS = frozenset(
    [
        "economie",
        "innovation",
        "insertion",
        "emploi",
        "developpement",
        "solidarite",
        "solidarites",
        "ess",
    ]
)
# What ends an organisation's name: a quotation, a sentence, the charge of an elected person.
_ORGANISATION_END = re.compile(r"\s*(?:\.(?:\s|$)|\(|\s(?:en charge|chargée?|déléguée?)\b)")
_CLAUSE = re.compile(
    r"^(?:a|ont|est|sont|et|qui|que|qu['’]|j['’]|il|elle|nous|on|ce|cette|mais|car|donc)\s",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"\s?[“”\"«»]")
_ROLE_TAIL = re.compile(r"(?:\s(?:de|du|des|d['’]|à|au|aux|pour|la|le|les|l['’]|et))+\s*$")
_CONTACT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}")
_BEFORE_NOT_PERSON = re.compile(
    r"\b(?:rue|avenue|av\.|boulevard|bd|place|allées?|impasse|quai|chemin|route|cours|square|"
    r"esplanade|parvis|promenade|passage|rond-point|pont|port|villa|cité|école|lycée|collège|"
    r"institut|hôpital|gymnase|médiathèque|bibliothèque|loi|salle|espace|centre|maison|"
    r"fondation|prix|fonds|hôtel|résidence|stade|piscine|parc|quartier)\s*$",
    re.IGNORECASE,
)
_TOPIC_CUT = re.compile(r"\s+[-–—]\s+|\s*:\s+")

# Capitalised words that begin a line yet are never a first name.
_NOT_GIVEN = frozenset(
    fold(word)
    for word in [
        "Conseil",
        "Région",
        "Ville",
        "Communauté",
        "Association",
        "Pôle",
        "Réseau",
        "Direction",
        "Service",
        "Maison",
        "Economie",
        "Économie",
        "Université",
        "Caisse",
        "Crédit",
        "Fondation",
        "Union",
        "Atelier",
        "Agence",
        "Chambre",
        "Centre",
        "Comité",
        "Collectif",
        "Groupe",
        "Mission",
        "Programme",
        "Budget",
        "Nombre",
        "Contexte",
        "Axe",
        "Table",
        "Conférence",
        "Présentation",
        "Journée",
        "Rencontre",
        "Rencontres",
        "Assemblée",
        "Mairie",
        "Département",
        "Métropole",
        "Agglomération",
        "Agglo",
        "Pays",
        "Monsieur",
        "Madame",
        "Mme",
        "Mr",
        "Saint",
        "Sainte",
        "Rue",
        "Avenue",
        "Place",
        "Boulevard",
        "Les",
        "La",
        "Le",
        "Pour",
        "Dans",
        "Avec",
        "Sur",
        "Par",
        "En",
        "Et",
        "Ou",
        "Ces",
        "Cette",
        "Aux",
        "Des",
        "Du",
        "De",
        "Une",
        "Un",
        "Mot",
        "Accueil",
        "Merci",
        "Loi",
        "Etat",
        "État",
        "Europe",
        "Banque",
        "Fonds",
        "Plan",
        "Schéma",
        "Charte",
        "Syndicat",
        "Scic",
        "Scop",
        "Ptce",
        "Dossier",
        "Actes",
        "Fiche",
        "Fiches",
        "Rapport",
        "Etude",
        "Étude",
        "Guide",
        "Lettre",
        "Président",
        "Présidente",
        "Vice",
        "Directeur",
        "Directrice",
        "Chargé",
        "Chargée",
        "Déléguée",
        "Délégué",
        "Responsable",
        "Cabinet",
        "Institut",
        "Observatoire",
        "Office",
        "Ecole",
        "École",
        "Lycée",
        "Collège",
        "Parc",
        "Territoires",
        "Territoire",
        "Solidaire",
        "Solidaires",
        "Sociale",
        "Social",
        "Cité",
        "Café",
        "Forum",
        "Semaine",
        "Mois",
        "Salon",
        "Grand",
        "Grande",
        "Petit",
        "Petite",
        "Nouvelle",
        "Nouveau",
        "Haute",
        "Haut",
        "Bas",
        "Basse",
        "Sud",
        "Nord",
        "Est",
        "Ouest",
        "Nos",
        "Notre",
        "Vos",
        "Votre",
        "Leur",
        "Leurs",
        "Son",
        "Sa",
        "Ses",
        "Mon",
        "Ma",
        "Mes",
        "Tous",
        "Toutes",
        "Chaque",
        "Quel",
        "Quelle",
        "Comment",
        "Pourquoi",
        "Quand",
        "Depuis",
        "Après",
        "Avant",
        "Entre",
        "Selon",
        "Face",
        "Vers",
        "Lors",
        "Via",
        "Chez",
        "Sous",
    ]
)


@dataclass
class Person:
    name: str
    first_name: str
    last_name: str
    role: str = ""
    organisation: str = ""
    email: str = ""
    phone: str = ""
    source: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def split_name(name: str) -> tuple[str, str]:
    """First and last name: a surname in capitals is the last name whatever its position;
    otherwise the first word (or a hyphenated first name) is the first name."""
    words = name.split()
    capitals = [index for index, word in enumerate(words) if word.isupper() and len(word) > 1]
    if capitals and capitals[0] > 0:
        return " ".join(words[: capitals[0]]), " ".join(words[capitals[0] :])
    cut = 1
    # "Marie France Malnou": a second capitalised given name before the surname.
    if len(words) >= 3 and not re.match(_PARTICLE, words[1] + " "):
        cut = 2 if len(words) == 3 and words[1][0].isupper() and words[2][0].isupper() else 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def display_name(name: str) -> str:
    """ "Françoise BERNON" → "Françoise Bernon"."""
    return " ".join(
        "-".join(part.capitalize() for part in word.split("-"))
        if word.isupper() and len(word) > 2
        else word
        for word in name.split()
    )


def is_plausible_name(name: str) -> bool:
    words = name.split()
    if len(words) < 2 or len(words) > 4:
        return False
    return fold(words[0]) not in _NOT_GIVEN and fold(words[-1]) not in _NOT_GIVEN


def role_and_organisation(rest: str) -> tuple[str, str]:
    """ "déléguée générale, RTES" → ("déléguée générale", "RTES"); "chargée de mission ESS
    conseil régional de Champagne Ardenne" → ("chargée de mission ESS", "conseil régional de
    Champagne Ardenne"); a talk title after a dash is not part of either."""
    rest = _CONTACT.sub("", rest)
    rest = re.split(r"\.\s|[“”«»]\s?[A-ZÀ-Ü]|\s[“«]", rest, maxsplit=1)[0]
    rest = _TOPIC_CUT.split(rest.strip(" ,;."), maxsplit=1)[0].strip(" ,;.")
    if not rest:
        return "", ""
    segments = [segment.strip() for segment in rest.split(",") if segment.strip()]
    role_parts: list[str] = []
    organisation = ""
    for segment in segments:
        if len(segment.split()) > 12 or _CLAUSE.match(segment):
            break  # the sentence goes on: what follows is no longer a title
        starts_organisation = bool(_ORGANISATION_START.match(segment))
        if not starts_organisation and (_ROLE_START.match(segment) or segment[0].islower()):
            role, found = _split_role(segment)
            role_parts.append(role)
            organisation = organisation or found
        elif not organisation and not _is_notion(segment):
            organisation = segment
        elif not organisation or starts_organisation:
            continue
    organisation, charge = _organisation_cut(organisation)
    if charge:
        role_parts.append(charge)
    parts = (_ROLE_TAIL.sub("", f" {part}").strip() for part in role_parts)
    role = ", ".join(part for part in parts if part)
    return role[:200], organisation[:200]


def _organisation_cut(organisation: str) -> tuple[str, str]:
    """The organisation's name, and what follows it that belongs to the role ("en charge de
    l'ESS"); a quotation or a new sentence after the name is dropped."""
    quote = _QUOTE.search(organisation)
    if quote and len(organisation[: quote.start()].split()) >= 3:
        organisation = organisation[: quote.start()]  # a quotation after the name
    match = _ORGANISATION_END.search(organisation)
    if match is None:
        return organisation.strip(), ""
    tail = organisation[match.start() :].strip()
    head = organisation[: match.start()].strip()
    if tail[:1] in "(" and re.match(r"\(\s*[A-Z]{2,}\s*\)", tail):
        return f"{head} {tail.split(')')[0]})", ""  # "(ARF)" is part of the name
    charge = tail if re.match(r"(?:en charge|chargée?|déléguée?)\b", tail) else ""
    return head, charge


def _is_notion(text: str) -> bool:
    """ "ESS", "Économie sociale…": the field someone is in charge of, not an organisation
    ("SCIC Énergies Partagées", an acronym followed by a name, is one)."""
    words = [word.strip("’'()") for word in text.split()]
    if words[0] in _NOTION_ACRONYMS:
        return len(words) == 1 or not words[1][:1].isupper()
    return fold(words[0]) in _NOTION_WORDS


def _split_role(segment: str) -> tuple[str, str]:
    starts = [
        match
        for pattern in (_ORGANISATION_START, _PROPER_ORGANISATION, _ACRONYM_ORGANISATION)
        for match in pattern.finditer(segment)
        if match.start() > 0 and not _is_notion(match.group("org"))
    ]
    if not starts:
        return segment, ""
    first = min(starts, key=lambda match: match.start())
    role = segment[: first.start()].strip(" ,-–")
    if not role:
        return segment, ""
    return role, first.group("org").strip()


class PeopleCollector:
    """Gathers the people of one document, one entry per person however often named."""

    def __init__(self) -> None:
        self.people: dict[str, Person] = {}

    def add(
        self, name: str, rest: str, line: Line, *, email: str = "", phone: str = ""
    ) -> Person | None:
        name = display_name(" ".join(name.split()))
        if not is_plausible_name(name):
            return None
        role, organisation = role_and_organisation(rest)
        key = person_key(name)
        known = self.people.get(key) or self._similar(key)
        if known:
            known.role = known.role or role
            known.organisation = known.organisation or organisation
            known.email = known.email or email
            known.phone = known.phone or phone
            if key.startswith(f"{person_key(known.name)} "):
                # The fuller writing wins: "Michel Da" then "Michel Da Cunha".
                known.name = name
                known.first_name, known.last_name = split_name(name)
            return known
        first_name, last_name = split_name(name)
        person = Person(
            name, first_name, last_name, role, organisation, email, phone, line.source()
        )
        self.people[key] = person
        return person

    def _similar(self, key: str) -> Person | None:
        """The same person written with the parts of a double surname swapped, or a letter
        transposed ("Delpeyrat-Vincent", "Vincent-Delpeyrat", "Deylperat-Vincent")."""
        given, _, surname = key.partition(" ")
        parts = sorted(surname.split())
        for other_key, person in self.people.items():
            other_given, _, other_surname = other_key.partition(" ")
            if other_given != given:
                continue
            other_parts = sorted(other_surname.split())
            if other_parts == parts or _near(" ".join(parts), " ".join(other_parts)):
                return person
            # "Marie France" and "Marie France Malnou", a name cut by a line end.
            if other_key.startswith(f"{key} ") or key.startswith(f"{other_key} "):
                return person
        return None


def _near(first: str, second: str) -> bool:
    """A typing or OCR slip: letters swapped or one letter more or less in a long surname."""
    if len(first) <= 5:
        return False
    return sorted(first) == sorted(second) or fuzz.ratio(first, second) >= 85


def _looks_given(word: str) -> bool:
    likeness = given_name_likeness(word.split("-")[0])
    return likeness is not None and likeness >= GIVEN_NAME_LIKENESS


def person_key(name: str) -> str:
    return fold(name.replace("-", " "))


@dataclass
class Mention:
    """A person named on a line of the document, and the label before the name, if any."""

    index: int
    person: Person
    label: str


def structured_people(lines: list[Line], collector: PeopleCollector) -> list[Mention]:
    """People in structured positions: a line opening on a name (bullet or label first), a
    label on a line of its own followed by the name, and lists "Name, role, org, Name, role…"."""
    mentions: list[Mention] = []
    waiting_label = ""
    for index, line in enumerate(lines):
        text = line.text
        label = LABEL.match(text)
        body = text[label.end() :] if label else text
        if label and not body.strip():
            waiting_label = label.group(0)
            continue
        label_text = fold(label.group(0)) if label else fold(waiting_label)
        waiting_label = ""
        for person in _names_in(body, lines, index, collector, labelled=bool(label_text)):
            mentions.append(Mention(index, person, label_text))
    return mentions


def _names_in(
    text: str, lines: list[Line], index: int, collector: PeopleCollector, *, labelled: bool
) -> list[Person]:
    line = lines[index]
    matches = [
        match
        for match in NAME.finditer(text)
        if _STRUCTURED_BEFORE.search(text[: match.start()])
        and not _BEFORE_NOT_PERSON.search(text[: match.start()])
    ]
    found: list[Person | None] = []
    for position, match in enumerate(matches):
        end = matches[position + 1].start() if position + 1 < len(matches) else len(text)
        rest = text[match.end() : end]
        at_start = match.start() == 0
        followed_by_role = rest.startswith(",") and bool(_ROLE_START.match(rest.lstrip(", ")))
        if at_start and not rest.strip() and labelled:
            # "Élue :\nBérénice Delpeyrat-Vincent\nvice-présidente…" on the next lines.
            rest, email, phone = _contact_block(lines, index)
            found.append(collector.add(match.group("name"), rest, line, email=email, phone=phone))
        elif labelled or followed_by_role or (at_start and rest.startswith(",") and line.bullet):
            found.append(collector.add(match.group("name"), rest.lstrip(", "), line))
    return [person for person in found if person]


def _contact_block(lines: list[Line], index: int) -> tuple[str, str, str]:
    """The role lines under a name on an info sheet, its e-mail and phone, and the authority
    the sheet is about (a line naming only an institution, the nearest on the page)."""
    role_lines: list[str] = []
    email = phone = ""
    for line in lines[index + 1 : index + 6]:
        if line.bullet or LABEL.match(line.text):
            break
        if NAME.match(line.text) and not _ROLE_START.match(line.text):
            break
        found_email = _EMAIL.search(line.text)
        found_phone = _PHONE.search(line.text)
        if found_email or found_phone:
            remainder = _CONTACT.sub("", line.text).strip(" ,;")
            if remainder and not (email or phone):
                role_lines.append(remainder)
            email = email or (found_email.group(0) if found_email else "")
            phone = phone or (found_phone.group(0) if found_phone else "")
            continue
        if email or phone:
            break
        role_lines.append(line.text)
    role = " ".join(role_lines)
    authority = _sheet_authority(lines, index)
    return (f"{role}, {authority}" if authority else role), email, phone


_SHEET_AUTHORITY = re.compile(
    r"^(?:conseil (?:régional|général|départemental)|communauté|métropole|ville|mairie|"
    r"région|département|pays)\b.{0,80}$",
    re.IGNORECASE,
)


def _sheet_authority(lines: list[Line], index: int, reach: int = 25) -> str:
    page = lines[index].page
    nearby = sorted(
        range(max(0, index - reach), min(len(lines), index + reach)),
        key=lambda other: abs(other - index),
    )
    for other in nearby:
        line = lines[other]
        if line.page == page and _SHEET_AUTHORITY.match(line.text) and len(line.text.split()) <= 9:
            return line.text
    return ""


def entity_people(entities: list[tuple[str, Line, str]], collector: PeopleCollector) -> None:
    """Names the model tags as persons in the prose, when they have the shape of a name: a
    first name and a surname, no institution word, not a street or a school named after
    someone, and either followed by a role, or with a first word the model places among
    given names, or named more than once. `entities` holds (text, line, rest of the line
    after the entity)."""
    mentions = Counter(person_key(text.strip()) for text, _line, _rest in entities)
    for text, line, rest in entities:
        match = NAME.fullmatch(text.strip())
        if match is None:
            continue
        before = line.text[: max(0, len(line.text) - len(rest) - len(text))]
        if _BEFORE_NOT_PERSON.search(before):
            continue
        role_rest = ""
        if rest.startswith(",") or rest.startswith(" ,"):
            role_rest = re.sub(
                r"^[,\s]*(?:alors|aujourd['’]hui|ancien(?:ne)?|actuel(?:le)?)\s",
                "",
                rest.lstrip(", "),
            )
            if not _ROLE_START.match(role_rest):
                role_rest = ""
        name = match.group("name")
        if role_rest or _looks_given(name.split()[0]) or mentions[person_key(name)] > 1:
            collector.add(name, role_rest, line)
