"""The smaller facts of a document: its kind and title, dates, figures with units, links,
e-mail addresses, organisations and initiatives named."""

import datetime
import re
from collections import Counter
from collections.abc import Callable

from essor.core.text import fold
from essor.ingest.cleaning import Line

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_DATE = re.compile(
    r"\b(?P<day>1er|[0-3]?\d)\s(?P<month>janvier|f[ée]vrier|mars|avril|mai|juin|juillet|"
    r"ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)\s(?P<year>(?:19|20)\d{2})\b"
    r"|\b(?P<d>[0-3]?\d)/(?P<m>[01]?\d)/(?P<y>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_LINK = re.compile(r"\b(?:https?://|www\.)[^\s<>()«»\"“”,;]+[^\s<>()«»\"“”,;.:!?]")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.IGNORECASE)
_FIGURE = re.compile(
    r"(?<![\w,.])(?P<value>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+(?:,\d+)?)\s?"
    r"(?P<unit>%|€|euros?|k€|M€|millions? d['’]euros|milliards? d['’]euros|"
    r"salarié(?:e)?s|emplois|habitants|structures|entreprises|associations|bénévoles|"
    r"participant(?:e)?s|personnes|collectivités|adhérent(?:e)?s|communes|établissements|"
    r"organisations|projets|initiatives|membres|heures|jours|ha|hectares|tonnes|m²)(?!\w)",
    re.IGNORECASE,
)

# Kinds of document, as the library names them, with the words that announce each and their
# weight: a title phrase weighs much; a word of the genre ("adhérents" in a report, reported
# speech in proceedings) little, counted at most ten times.
KIND_SIGNALS: dict[str, tuple[str, list[tuple[str, float]]]] = {
    "participant_kit": (
        "dossier-participant",
        [
            (r"dossier d[ue]s? participants?", 6),
            (r"fiches? infos?", 4),
            (r"accueil des participants", 2),
        ],
    ),
    "activity_report": (
        "rapport-activite",
        [
            (r"rapport d.activite", 6),
            (r"rapport annuel", 6),
            (r"adherent(?:e)?s", 0.5),
            (r"conseil d.administration", 2),
            (r"assemblee generale", 2),
            (r"\ben 20\d\d\b", 0.2),
            (r"nouveaux abonnes", 2),
        ],
    ),
    "proceedings": (
        "actes",
        [
            (r"\bactes\b", 3),
            (r"\ba (?:rappele|souligne|explique|indique|insiste)", 0.5),
            (r"table ronde", 0.5),
            (r"\bsynthese\b", 0.5),
            (r"\bretours?\b", 0.3),
        ],
    ),
    "meeting_report": ("compte-rendu", [(r"compte.rendu", 4)]),
    "guide": ("reperess", [(r"points de reperess", 6), (r"\bguide\b", 0.5)]),
    "study": ("etude", [(r"\betude\b", 0.3), (r"\benquete\b", 0.3), (r"methodologie", 1)]),
    "advocacy": ("plaidoyer", [(r"plaidoyer", 3), (r"propositions? d.amendements?", 2)]),
    "press_release": ("communique", [(r"communique de presse", 6)]),
    "letter": ("lettre-papier", [(r"lettre (?:du rtes|d.information)", 3)]),
    "programme": ("autre", [(r"\bprogramme\b", 0.5)]),
}
KIND_LABELS = {
    "participant_kit": "Dossier du participant",
    "activity_report": "Rapport d'activité",
    "proceedings": "Actes",
    "meeting_report": "Compte rendu",
    "guide": "Guide",
    "study": "Étude",
    "advocacy": "Plaidoyer",
    "press_release": "Communiqué de presse",
    "letter": "Lettre",
    "programme": "Programme",
    "document": "Document",
}

_ORGANISATION = re.compile(
    r"\b(?P<org>(?:[Aa]ssociation|[Rr]éseau|[Ff]édération|[Uu]nion|[Cc]ollectif|[Ff]ondation|"
    r"[Cc]oopérative|SCIC|SCOP|PTCE|[Cc]aisse|[Cc]hambre|[Aa]gence|[Oo]bservatoire)"
    r"\s(?:des?\s|du\s|d['’]|de la\s|l['’])?(?:[«“\"]\s?)?[A-ZÀÂÉÈÎÔÇ][\w'’-]*"
    r"(?:\s(?:des?|du|d['’]|de la|la|le|les|et|pour|l['’])?\s?[A-ZÀÂÉÈÎÔÇ][\w'’-]*){0,5}"
    r"(?:\s?[»”\"])?)"
)
_ACRONYM = re.compile(r"\b(?P<acronym>[A-Z][A-Z&]{2,7})\b")
# Acronyms of the field that name a kind of body or a notion, not one organisation.
_GENERIC_ACRONYMS = frozenset(
    [
        "ESS",
        "ESUS",
        "SCIC",
        "SCOP",
        "PTCE",
        "IAE",
        "EPCI",
        "DGA",
        "DGS",
        "PDF",
        "QPV",
        "ZRR",
        "CDI",
        "CDD",
        "TPE",
        "PME",
        "ETP",
        "SIREN",
        "INSEE",
        "DROM",
        "COM",
        "EPT",
        "FSE",
        "FEDER",
        "RSA",
        "CUCS",
        "SAS",
        "SARL",
        "GIE",
        "ONG",
        "TVA",
        "RSE",
        "BTP",
        "NTIC",
        "TIC",
        "CAE",
        "SIAE",
        "EI",
        "ETTI",
        "ACI",
        "AMI",
        "AAP",
        "PLIE",
        "ERP",
        "HLM",
        "CA",
        "CU",
        "CC",
        "CESE",
        "RGAA",
        "CEDEX",
    ]
)
_INITIATIVE = re.compile(
    r"\b(?P<initiative>(?:(?:la|le|une?)\s)?(?:monnaie locale|PTCE|SCIC|SCOP|"
    r"pôle territorial de coopération économique|épicerie solidaire|ressourcerie|"
    r"recyclerie|couveuse|incubateur|coopérative d['’]activités? et d['’]emploi|"
    r"festival|tiers-lieu|jardin partagé)\s(?:[«“\"]\s?)?(?:(?:Les?|La|L['’])\s?)?"
    r"[A-ZÀÂÉÈÎÔÇ][\w'’-]*(?:\s(?:des?|du|d['’]|de la|la|le|les|et)?\s?[A-ZÀÂÉÈÎÔÇ][\w'’-]*"
    r"|\s(?:de la|du|des|et du|et de la)\s[a-zéè][\w'’-]*){0,5}(?:\s?[»”\"])?)",
)


def dates_in(text: str) -> list[datetime.date]:
    found = []
    for match in _DATE.finditer(text):
        try:
            if match.group("day"):
                day = 1 if match.group("day").lower() == "1er" else int(match.group("day"))
                month = MONTHS[fold(match.group("month"))]
                found.append(datetime.date(int(match.group("year")), month, day))
            else:
                found.append(
                    datetime.date(
                        int(match.group("y")), int(match.group("m")), int(match.group("d"))
                    )
                )
        except ValueError:
            continue  # "31 février": not a date
    return found


def document_dates(lines: list[Line], limit: int = 5) -> list[str]:
    """The dates the document is about: the most cited full dates, first cited first."""
    counts: Counter[datetime.date] = Counter()
    first_seen: dict[datetime.date, int] = {}
    for index, line in enumerate(lines):
        for date in dates_in(line.text):
            counts[date] += 1
            first_seen.setdefault(date, index)
    best = sorted(counts, key=lambda date: (-counts[date], first_seen[date]))[:limit]
    return [date.isoformat() for date in sorted(best, key=first_seen.get)]


def document_kind(lines: list[Line], has_programme: bool = False) -> tuple[str, str]:
    """(kind, library kind): the kind whose signals weigh most over the whole text; a timed
    programme speaks for a participant kit."""
    text = fold(" ".join(line.text.replace("’", "'") for line in lines))
    scores = {
        kind: sum(weight * _occurrences(pattern, weight, text) for pattern, weight in signals)
        for kind, (_library, signals) in KIND_SIGNALS.items()
    }
    if has_programme:
        scores["participant_kit"] += 3
    kind = max(scores, key=scores.get)
    if scores[kind] < 1:
        return "document", "autre"
    return kind, KIND_SIGNALS[kind][0]


def _occurrences(pattern: str, weight: float, text: str) -> int:
    """A title phrase counts once, however often repeated; a word of the genre up to ten."""
    count = len(re.findall(pattern, text))
    return min(1 if weight >= 3 else 10, count)


def figures_in(lines: list[Line], limit: int = 200) -> list[dict]:
    figures = []
    for line in lines:
        for match in _FIGURE.finditer(line.text):
            value = match.group("value").replace("\u00a0", " ").replace("\u202f", " ")
            figures.append(
                {
                    "value": value.replace(" ", "").replace(",", "."),
                    "unit": match.group("unit"),
                    "text": match.group(0),
                    "source": line.source(),
                }
            )
            if len(figures) >= limit:
                return figures
    return figures


def links_in(lines: list[Line]) -> list[str]:
    return _distinct(match.group(0) for line in lines for match in _LINK.finditer(line.text))


def emails_in(lines: list[Line]) -> list[str]:
    return _distinct(
        match.group(0).lower() for line in lines for match in _EMAIL.finditer(line.text)
    )


def _distinct(values: object) -> list[str]:
    return list(dict.fromkeys(values))


def organisations_in(
    lines: list[Line], entity_orgs: list[tuple[str, Line]], is_word: Callable[[str], bool]
) -> list[dict]:
    """Organisations named: "association X", "Réseau Y"…; acronyms used at least twice that
    are not a word in capitals (an acronym used once is as often a notion as a body); the
    model's organisations when their name has the word of a kind of body."""
    found: dict[str, dict] = {}

    def add(name: str, line: Line, acronym: str = "") -> None:
        name = _name_trimmed(name)
        key = fold(name)
        generic = name.upper() in _GENERIC_ACRONYMS  # "PTCE" alone names no one body
        if len(key) >= 3 and key not in found and not generic and not _NOTION_START.match(name):
            found[key] = {"name": name, "acronym": acronym, "source": line.source()}

    acronyms: Counter[str] = Counter()
    first_line: dict[str, Line] = {}
    for line in lines:
        for match in _ORGANISATION.finditer(line.text):
            add(match.group("org"), line)
        for match in _ACRONYM.finditer(line.text):
            acronym = match.group("acronym")
            if acronym not in _GENERIC_ACRONYMS and not is_word(acronym.lower()):
                acronyms[acronym] += 1
                first_line.setdefault(acronym, line)
    for acronym, count in acronyms.items():
        if count >= 2:
            add(acronym, first_line[acronym], acronym)
    for text, line in entity_orgs:
        if 1 < len(text.split()) <= 8 and text[0].isupper() and _BODY_WORD.search(text):
            add(text, line)
    return list(found.values())


# The word that makes a name an organisation's: a kind of body.
_BODY_WORD = re.compile(
    r"\b(?:association|réseau|fédération|union|fondation|caisse|crédit|chambre|agence|comité|"
    r"conseil national|mouvement|université|institut|coopérative|collectif|syndicat|banque|"
    r"office|observatoire|groupement|société|entreprise|laboratoire|labo|centre|maison|pôle|"
    r"scic|scop|cress?|direction régionale|ministère|secrétariat)\b",
    re.IGNORECASE,
)
# Notions and headings that read like names: "Economie sociale", "Axe 1", "Quel impact".
_NOTION_START = re.compile(
    r"^(?:l['’])?(?:[ée]conomie|axe|quels?|quelles?|promotion|responsabilit|pr[ée]sident|"
    r"d[ée]l[ée]gu[ée]|direction des|plan|programme|enseignement)\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"(?:\s(?:les?|la|l['’]|des?|du|d['’]|et|pour|sur|[«“\"]))+$", re.IGNORECASE)


def _name_trimmed(name: str) -> str:
    """A name without the punctuation around it nor a word left hanging at its end ("PTCE
    Les" → "PTCE"), and with its quotes balanced."""
    name = _DANGLING.sub("", name.strip(' ,.;:«»"“”'))
    if name.count("«") != name.count("»") or name.count("“") != name.count("”"):
        name = name.replace("«", "").replace("»", "").replace("“", "").replace("”", "")
    return " ".join(name.split())


def initiatives_in(lines: list[Line]) -> list[dict]:
    found: dict[str, dict] = {}
    for line in lines:
        for match in _INITIATIVE.finditer(line.text):
            name = re.sub(r"^(?:la|le|une?)\s", "", match.group("initiative"), flags=re.I)
            name = _name_trimmed(name)
            if len(name.split()) >= 2:  # "PTCE Les" trimmed to "PTCE" names nothing
                found.setdefault(fold(name), {"name": name, "source": line.source()})
    return list(found.values())


def document_title(lines: list[Line], kind: str, event_title: str) -> tuple[str, dict | None]:
    """A title an editor would write: what the document is, and the event it is about; else
    its first line that reads like a heading."""
    label = KIND_LABELS.get(kind, "Document")
    if event_title:
        return f"{label} — {event_title}"[:300], None
    for line in lines[:60]:
        words = line.text.split()
        if 2 <= len(words) <= 15 and line.text[0].isupper() and not line.text.endswith((".", ",")):
            return line.text[:300], line.source()
    return label, None
