"""Import of the network's member list from a spreadsheet (CSV or XLSX).

Three steps, so that nothing is ever half-imported:

1. `read_member_table` turns the file into rows (or raises `MemberFileError` with one French
   message: unreadable encoding, missing columns, too many lines…);
2. `validate_member_rows` checks every line against the official referential and what is
   already recorded, and collects the errors line by line, numbered as the spreadsheet shows
   them (the header is line 1);
3. `apply_member_import` writes a report without errors in one transaction: authorities,
   membership periods (keyed on the joining date) and dues. Importing the same file twice
   changes nothing the second time.

An empty cell never erases what is recorded (a departure, a website, a payment date): the
file adds and corrects, the admin deletes.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from essor.core.text import fold
from essor.members import services
from essor.members.models import Authority, AuthorityKind, Dues, Membership
from essor.territories import selectors as territory_selectors
from essor.territories.models import Territory, TerritoryKind

MAX_ROWS = 5000
MAX_NAME_LENGTH = Authority._meta.get_field("name").max_length
MAX_AMOUNT = Decimal(10) ** 8  # Dues.amount: 10 digits, 2 of them decimals
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100

# The columns, in the order of the template file, with the header written there.
FIELD_HEADERS = {
    "code": "Code officiel",
    "niveau": "Niveau",
    "nom": "Nom",
    "adhesion": "Date d'adhésion",
    "depart": "Date de départ",
    "site": "Site internet",
    "cotisation_annee": "Année de cotisation",
    "cotisation_montant": "Montant de cotisation",
    "cotisation_payee_le": "Cotisation payée le",
}
REQUIRED_FIELDS = ("code", "adhesion")
DUES_FIELDS = ("cotisation_annee", "cotisation_montant")  # one goes with the other
FIELD_DESCRIPTIONS = {
    "code": "code officiel : code INSEE ou SIREN",
    "niveau": "région, département, intercommunalité, commune ou autre",
    "nom": "nom d'usage",
    "adhesion": "date d'adhésion",
    "depart": "date de départ",
    "site": "site internet",
    "cotisation_annee": "année de la cotisation",
    "cotisation_montant": "montant de la cotisation",
    "cotisation_payee_le": "date de paiement de la cotisation",
}

# Header names as people write them (compared folded: no case, accents, spaces or punctuation).
_HEADER_SYNONYMS = {
    "code": "code officiel; code INSEE; INSEE; SIREN; code SIREN; numéro SIREN; "
    "code INSEE ou SIREN; code INSEE/SIREN; code commune; code territoire; code géographique; COG",
    "niveau": "niveau de collectivité; type; type de collectivité; échelon; échelle; catégorie",
    "nom": "nom d'usage; collectivité; nom de la collectivité; nom collectivité; libellé; "
    "dénomination; raison sociale; membre; adhérent; organisme",
    "adhesion": "date d'adhésion; date adhésion; année d'adhésion; année adhésion; "
    "adhérent depuis; membre depuis; début d'adhésion; début adhésion; date de début; début",
    "depart": "date de départ; date départ; fin d'adhésion; fin adhésion; date de fin; fin; "
    "sortie; date de sortie; année de départ",
    "site": "site internet; site web; web; URL; adresse du site",
    "cotisation_annee": "année de cotisation; année cotisation; année de la cotisation; exercice",
    "cotisation_montant": "montant de cotisation; montant cotisation; montant de la cotisation; "
    "cotisation; montant",
    "cotisation_payee_le": "payée le; cotisation payée; date de paiement; date paiement; "
    "paiement; réglée le; date de règlement",
}


def _header_key(text: str) -> str:
    """'Date d'adhésion (JJ/MM/AAAA) *' → 'datedadhesion'."""
    return fold(re.sub(r"\(.*?\)", " ", text)).replace(" ", "")


_HEADER_FIELDS = {
    _header_key(name): field_name
    for field_name, names in _HEADER_SYNONYMS.items()
    for name in [field_name, *names.split(";")]
}

# The `niveau` column: the levels of the referential a line may designate.
_INTERCOMMUNAL = (TerritoryKind.EPCI.value, TerritoryKind.EPT.value)
_OTHER = AuthorityKind.OTHER.value
_LEVEL_SYNONYMS = {
    (TerritoryKind.REGION.value,): "région; conseil régional; collectivité régionale",
    (TerritoryKind.DEPARTEMENT.value,): "département; dépt; conseil départemental; conseil général",
    (TerritoryKind.COMMUNE.value,): "commune; ville; mairie; municipalité",
    _INTERCOMMUNAL: "intercommunalité; interco; EPCI; EPCI à fiscalité propre; EPT; "
    "établissement public territorial; métropole; communauté de communes; CC; "
    "communauté d'agglomération; agglomération; agglo; CA; communauté urbaine; CU",
    (_OTHER,): "autre; autre collectivité ou groupement; groupement; pays; PETR; "
    "pôle d'équilibre territorial et rural; syndicat; syndicat mixte; parc naturel régional; PNR",
}
_LEVELS = {
    _header_key(name): levels
    for levels, names in _LEVEL_SYNONYMS.items()
    for name in names.split(";")
}
_LEVEL_NAMES = "région, département, intercommunalité, commune ou autre"
# "aucune commune", "aucun département": the negative of each level, for messages.
_NONE_OF = {
    (TerritoryKind.REGION.value,): "aucune région",
    (TerritoryKind.DEPARTEMENT.value,): "aucun département",
    (TerritoryKind.COMMUNE.value,): "aucune commune",
    _INTERCOMMUNAL: "aucune intercommunalité (EPCI ou EPT)",
}

_COMMUNE_CODE = re.compile(r"\d{5}|2[AB]\d{3}")
_REGION_OR_DEPARTEMENT_CODE = re.compile(r"\d{2,3}|2[AB]")
_SIREN = re.compile(r"\d{9}")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class MemberFileError(Exception):
    """The file cannot be read as a member table; `message` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TableRow:
    """One non-empty line of the file: its number as the spreadsheet shows it, and its
    cells by field (str, number or date as the file gives them; absent fields are None)."""

    line: int
    cells: dict[str, object]
    extra_values: int = 0  # non-empty cells beyond the header (a separator problem)


@dataclass(frozen=True)
class MemberTable:
    filename: str
    columns: tuple[str, ...]  # the fields found in the header
    ignored_columns: tuple[str, ...]  # headers that match no field, as written
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class LineError:
    line: int | None  # None for an error about the whole file
    message: str

    def __str__(self) -> str:
        return f"Ligne {self.line} : {self.message}" if self.line else self.message


@dataclass
class MemberLine:
    """One valid line, ready to be written."""

    line: int
    key: tuple[str, object]  # ("territory", pk) or ("siren", "…"): one authority
    display_name: str
    territory: Territory | None
    siren: str
    name: str  # "" keeps the recorded name
    website: str  # "" keeps the recorded website
    joined_on: datetime.date
    left_on: datetime.date | None
    dues_year: int | None = None
    dues_amount: Decimal | None = None
    dues_paid_on: datetime.date | None = None


@dataclass
class ImportReport:
    filename: str
    lines: list[MemberLine] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def messages(self) -> list[str]:
        """The errors as the user reads them, by line."""
        return [str(error) for error in self.errors]


class MemberImportFailed(Exception):
    """A write was refused while applying a report (the data changed since it was checked):
    the whole import was rolled back."""

    def __init__(self, error: LineError) -> None:
        super().__init__(str(error))
        self.error = error


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
_STATE_RANK = {UNCHANGED: 0, UPDATED: 1, CREATED: 2}


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    dry_run: bool = False
    line_count: int = 0
    _states: dict[str, dict[object, str]] = field(
        default_factory=lambda: {"authorities": {}, "memberships": {}, "dues": {}}
    )

    def tally(self, kind: str, key: object, state: str) -> None:
        # A record touched by several lines counts once, with its strongest change.
        states = self._states[kind]
        if _STATE_RANK[state] >= _STATE_RANK[states.get(key, UNCHANGED)]:
            states[key] = state

    def _count(self, kind: str, state: str) -> int:
        return sum(1 for value in self._states[kind].values() if value == state)

    authorities_created = property(lambda self: self._count("authorities", CREATED))
    authorities_updated = property(lambda self: self._count("authorities", UPDATED))
    authorities_unchanged = property(lambda self: self._count("authorities", UNCHANGED))
    memberships_created = property(lambda self: self._count("memberships", CREATED))
    memberships_updated = property(lambda self: self._count("memberships", UPDATED))
    memberships_unchanged = property(lambda self: self._count("memberships", UNCHANGED))
    dues_created = property(lambda self: self._count("dues", CREATED))
    dues_updated = property(lambda self: self._count("dues", UPDATED))
    dues_unchanged = property(lambda self: self._count("dues", UNCHANGED))

    @property
    def changed(self) -> bool:
        return any(
            state != UNCHANGED for states in self._states.values() for state in states.values()
        )

    def summary(self) -> list[str]:
        """The summary in French, one sentence a line."""
        lines = []
        if self.dry_run:
            lines.append(
                f"Vérification sans import : {_plural(self.line_count, 'ligne valide', 'lignes valides')}, rien n'a été enregistré."
            )
        else:
            lines.append(
                f"Import terminé : {_plural(self.line_count, 'ligne lue', 'lignes lues')}."
            )
        for kind, label in (
            ("authorities", "Collectivités"),
            ("memberships", "Adhésions"),
            ("dues", "Cotisations"),
        ):
            if not self._states[kind]:
                continue
            created, updated, unchanged = (
                self._count(kind, s) for s in (CREATED, UPDATED, UNCHANGED)
            )
            if self.dry_run:
                parts = [f"{created} à créer", f"{updated} à modifier"]
            else:
                parts = [
                    _plural(created, "créée", "créées"),
                    _plural(updated, "modifiée", "modifiées"),
                ]
            parts.append(_plural(unchanged, "inchangée", "inchangées"))
            lines.append(f"{label} : {', '.join(parts)}.")
        if not self.changed:
            lines.append(
                "Aucun changement : les données enregistrées correspondent déjà au fichier."
            )
        return lines


def _plural(count: int, singular: str, plural: str) -> str:
    # French: 0 and 1 take the singular.
    return f"{count} {singular if count < 2 else plural}"


# --- 1. Reading the file ----------------------------------------------------------------

_UNREADABLE_CSV = (
    "Le fichier n'est pas un CSV lisible (encodage non reconnu ou fichier binaire). "
    "Enregistrez-le depuis votre tableur au format « CSV UTF-8 » ou « CSV (point-virgule) », "
    "ou envoyez-le au format XLSX."
)


def read_member_table(data: bytes, filename: str) -> MemberTable:
    """The rows of a member list in CSV (UTF-8 with or without BOM, or Windows-1252 as French
    Excel writes it; separator `;`, `,` or tab) or XLSX (first sheet). Raises
    `MemberFileError` when the file cannot be read or lacks a required column."""
    if not data.strip():
        raise MemberFileError("Le fichier est vide.")
    lowered = filename.lower()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise MemberFileError(
            "Le format XLS (Excel 97-2003) n'est pas lu : enregistrez le fichier au format "
            "XLSX ou CSV."
        )
    if data.startswith(b"PK\x03\x04"):
        if lowered.endswith(".ods"):
            raise MemberFileError(
                "Le format ODS n'est pas lu : enregistrez le fichier au format XLSX ou CSV."
            )
        records = _xlsx_records(data)
        check_extra_values = False
    else:
        records = _csv_records(_decode(data))
        check_extra_values = True
    return _table(records, filename, check_extra_values)


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        candidates = [(data[len(codecs.BOM_UTF8) :], "utf-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = [(data, "utf-16")]  # Excel's "Texte Unicode"
    else:
        # Strict UTF-8 first: Windows-1252 decodes almost any byte, so it comes last.
        candidates = [(data, "utf-8"), (data, "cp1252")]
    for raw, encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        text = text.rstrip("\x1a")  # an old end-of-file mark
        if _looks_like_text(text):
            return text
        break
    raise MemberFileError(_UNREADABLE_CSV)


def _looks_like_text(text: str) -> bool:
    return not any(
        unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text[:200_000]
    )


def _csv_records(text: str) -> Iterable[Sequence[object]]:
    header = next((line for line in text.splitlines() if line.strip()), "")
    unquoted = re.sub(r'"[^"]*"', "", header)
    delimiter = max(";,\t", key=unquoted.count)  # ties: `;` (French Excel) first
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error as error:
        raise MemberFileError(
            f"Le fichier CSV est mal formé vers la ligne {reader.line_num} ({error}). "
            "Vérifiez les guillemets et le séparateur."
        ) from error


def _xlsx_records(data: bytes) -> Iterable[Sequence[object]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # Excel extensions openpyxl does not know (data validation…) do not matter here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise MemberFileError(
            "Le fichier n'est pas un classeur XLSX lisible : ouvrez-le dans votre tableur et "
            "enregistrez-le à nouveau au format XLSX ou CSV."
        ) from error
    try:
        if not workbook.worksheets:
            raise MemberFileError("Le classeur ne contient aucune feuille.")
        sheet = workbook.worksheets[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield from sheet.iter_rows(min_row=1, values_only=True)
    finally:
        workbook.close()


def _clean(value: object) -> object:
    """Strings trimmed with single spaces, datetimes as dates, empty as None."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        value = _SPACES.sub(" ", value).strip()
        return value or None
    return value


def _table(records: Iterable[Sequence[object]], filename: str, check_extra: bool) -> MemberTable:
    header: list[str] | None = None
    columns: dict[str, list[int]] = {}
    ignored: list[str] = []
    rows: list[TableRow] = []
    for number, record in enumerate(records, start=1):
        cells = [_clean(value) for value in record]
        if not any(cell is not None for cell in cells):
            continue
        if header is None:
            header = [str(cell) if cell is not None else "" for cell in cells]
            columns, ignored = _columns(header)
            continue
        if len(rows) >= MAX_ROWS:
            raise MemberFileError(
                f"Le fichier compte plus de {MAX_ROWS} lignes : découpez-le en plusieurs fichiers."
            )
        values = {}
        for name, indexes in columns.items():
            found = [cells[i] for i in indexes if i < len(cells) and cells[i] is not None]
            values[name] = found[0] if found else None
        extra = sum(1 for cell in cells[len(header) :] if cell is not None) if check_extra else 0
        rows.append(TableRow(line=number, cells=values, extra_values=extra))
    if header is None:
        raise MemberFileError("Le fichier est vide.")
    missing = [name for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise MemberFileError(_missing_columns_message(missing, header))
    dues_columns = [name for name in DUES_FIELDS if name in columns]
    if len(dues_columns) == 1:
        (missing,) = set(DUES_FIELDS) - set(dues_columns)
        raise MemberFileError(
            f"Colonne absente : « {missing} » ({FIELD_DESCRIPTIONS[missing]}), nécessaire avec "
            f"la colonne « {dues_columns[0]} » ({FIELD_DESCRIPTIONS[dues_columns[0]]}). "
            f"Colonnes lues sur la première ligne : {_quoted(header)}."
        )
    if not rows:
        raise MemberFileError("Le fichier ne contient aucune ligne sous la ligne d'en-tête.")
    return MemberTable(
        filename=filename, columns=tuple(columns), ignored_columns=tuple(ignored), rows=tuple(rows)
    )


def _columns(header: list[str]) -> tuple[dict[str, list[int]], list[str]]:
    columns: dict[str, list[int]] = {}
    ignored = []
    for index, title in enumerate(header):
        if not title:
            continue
        name = _HEADER_FIELDS.get(_header_key(title))
        if name is None:
            ignored.append(title)
        else:
            columns.setdefault(name, []).append(index)
    return columns, ignored


def _quoted(header: list[str]) -> str:
    return ", ".join(f"« {title} »" for title in header if title) or "aucune"


def _missing_columns_message(missing: list[str], header: list[str]) -> str:
    names = ", ".join(f"« {name} » ({FIELD_DESCRIPTIONS[name]})" for name in missing)
    found = _quoted(header)
    verb = "Colonne obligatoire absente" if len(missing) == 1 else "Colonnes obligatoires absentes"
    message = f"{verb} : {names}. Colonnes lues sur la première ligne : {found}."
    if len([title for title in header if title]) == 1:
        message += (
            " Une seule colonne a été lue : vérifiez le séparateur (point-virgule, virgule ou "
            "tabulation)."
        )
    return message


# --- 2. Checking every line ---------------------------------------------------------------


class _BadValue(Exception):
    pass


@dataclass
class _Parsed:
    row: TableRow
    code_errors: list[str] = field(default_factory=list)  # listed first, as the code column
    errors: list[str] = field(default_factory=list)
    code: str = ""
    levels: tuple[str, ...] | None = None  # None: to infer from the code
    name: str = ""
    website: str = ""
    joined_on: datetime.date | None = None
    left_on: datetime.date | None = None
    dues_year: int | None = None
    dues_amount: Decimal | None = None
    dues_paid_on: datetime.date | None = None
    territory: Territory | None = None
    siren: str = ""
    authority: Authority | None = None
    needs_name_column: bool = False
    unknown_level: bool = False


def validate_member_rows(table: MemberTable) -> ImportReport:
    """Check every line of the table against the referential and what is recorded; the
    report lists the errors by line, or the lines ready to import when there is none."""
    report = ImportReport(
        filename=table.filename, ignored_columns=table.ignored_columns, row_count=len(table.rows)
    )
    hints = _HintBudget()
    parsed = [_parse_row(row, hints) for row in table.rows]
    _resolve_identities(parsed, hints, has_name_column="nom" in table.columns)
    memberships = _recorded_memberships(parsed)
    _check_duplicates_and_overlaps(parsed, memberships)

    lines_needing_names = [item.row.line for item in parsed if item.needs_name_column]
    if lines_needing_names:
        report.errors.append(
            LineError(
                None,
                "Colonne « nom » absente : elle est nécessaire pour les organismes qui ne "
                "figurent pas dans le référentiel officiel (SIREN "
                f"{_line_list(lines_needing_names)}). Ajoutez une colonne « nom ».",
            )
        )
    for item in parsed:
        messages = item.code_errors + item.errors
        report.errors.extend(LineError(item.row.line, message) for message in messages)
        if not messages and not item.needs_name_column:
            report.lines.append(_member_line(item))
    report.errors.sort(key=lambda error: error.line or 0)
    if report.errors:
        report.lines = []
    return report


def member_import_check(data: bytes, filename: str) -> ImportReport:
    """Read and check a file in one go: a file that cannot be read gives a report with one
    error about the whole file."""
    try:
        table = read_member_table(data, filename)
    except MemberFileError as error:
        return ImportReport(filename=filename, errors=[LineError(None, error.message)])
    return validate_member_rows(table)


def _line_list(numbers: list[int]) -> str:
    shown = [str(n) for n in numbers[:10]]
    text = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " et " + shown[-1]
    prefix = "ligne" if len(numbers) == 1 else "lignes"
    more = f" (et {len(numbers) - 10} autres)" if len(numbers) > 10 else ""
    return f"{prefix} {text}{more}"


class _HintBudget:
    """Suggestions ("did you mean…") cost a search each: a file full of mistakes gets them
    for its first lines only."""

    def __init__(self, size: int = 20) -> None:
        self.left = size

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def _parse_row(row: TableRow, hints: _HintBudget) -> _Parsed:
    item = _Parsed(row=row)
    cells = row.cells
    if row.extra_values:  # said first: it explains the errors that follow
        item.code_errors.append(
            f"{_plural(row.extra_values, 'valeur', 'valeurs')} au-delà des colonnes de l'en-tête : "
            "vérifiez le séparateur et les guillemets."
        )
    item.name = _text(cells.get("nom"))
    if len(item.name) > MAX_NAME_LENGTH:
        item.errors.append(f"le nom dépasse {MAX_NAME_LENGTH} caractères.")
        item.name = ""
    item.code = _normalise_code(cells.get("code"))
    level = _text(cells.get("niveau"))
    if level:
        item.levels = _LEVELS.get(_header_key(level))
        if item.levels is None:
            item.unknown_level = True
            item.code_errors.append(
                f"niveau « {level} » inconnu ; valeurs possibles : {_LEVEL_NAMES}."
            )
    if not item.code:
        item.code_errors.append(_missing_code_message(item.name, hints))

    raw_joined = cells.get("adhesion")
    if raw_joined is None:
        item.errors.append("date d'adhésion manquante.")
    else:
        item.joined_on = _date_or_error(item, raw_joined, "date d'adhésion")
    raw_left = cells.get("depart")
    if raw_left is not None:
        item.left_on = _date_or_error(item, raw_left, "date de départ")
    if item.joined_on and item.left_on:
        if item.left_on < item.joined_on:
            item.errors.append(
                f"la date de départ ({item.left_on:%d/%m/%Y}) précède la date d'adhésion "
                f"({item.joined_on:%d/%m/%Y})."
            )
        elif item.left_on == item.joined_on:
            item.errors.append(
                f"la date de départ ({item.left_on:%d/%m/%Y}) est le jour de l'adhésion ; "
                "elle doit la suivre."
            )

    raw_site = cells.get("site")
    if raw_site is not None:
        try:
            item.website = _parse_website(raw_site)
        except _BadValue:
            item.errors.append(f"site internet « {raw_site} » invalide.")
    _parse_dues(item, cells)
    return item


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _normalise_code(value: object) -> str:
    code = _SPACES.sub("", _text(value))
    if re.fullmatch(r"(?i)2[ab]\d{0,3}", code):  # Corsica: 2A, 2B004
        code = code.upper()
    if re.fullmatch(r"\d+\.0+", code):  # a number written by a tool as "35238.0"
        code = code.split(".")[0]
    # Spreadsheets drop the leading zero of codes they take for numbers: 1004 for 01004.
    if code.isdigit() and len(code) in (1, 4):
        code = "0" + code
    return code


def _missing_code_message(name: str, hints: _HintBudget) -> str:
    message = "code officiel (code INSEE ou SIREN) manquant."
    if name and hints.take():
        candidate = territory_selectors.resolve_best(name)
        if candidate is not None:
            label = "SIREN" if candidate.kind in _INTERCOMMUNAL else "code INSEE"
            message = (
                "code officiel (code INSEE ou SIREN) manquant ; pour « "
                f"{name} », le référentiel propose {candidate.name} ({label} {candidate.code})."
            )
    return message


def _date_or_error(item: _Parsed, value: object, label: str) -> datetime.date | None:
    try:
        return _parse_date(value)
    except _BadValue:
        shown = value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value
        item.errors.append(
            f"{label} « {shown} » invalide (formats acceptés : JJ/MM/AAAA, AAAA-MM-JJ ou "
            "l'année seule)."
        )
        return None


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_FRENCH_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})" + _TIME)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")


def _parse_date(value: object) -> datetime.date:
    """JJ/MM/AAAA, AAAA-MM-JJ, a bare year (1 January) or a spreadsheet date cell."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and EARLIEST_YEAR <= value <= LATEST_YEAR:
            day = datetime.date(int(value), 1, 1)
        elif 20_000 <= value <= 80_000:  # a spreadsheet serial number that lost its format
            from openpyxl.utils.datetime import from_excel

            day = from_excel(value).date()
        else:
            raise _BadValue
    else:
        text = str(value).strip()
        try:
            if match := _YEAR.fullmatch(text):
                day = datetime.date(int(match[1]), 1, 1)
            elif match := _FRENCH_DATE.fullmatch(text):
                day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
            elif match := _ISO_DATE.fullmatch(text):
                day = datetime.date(int(match[1]), int(match[2]), int(match[3]))
            else:
                raise _BadValue
        except ValueError as error:
            raise _BadValue from error
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise _BadValue
    return day


def _parse_amount(value: object) -> Decimal:
    """French and plain amounts: "1 200,50", "1200.5", "1 200 €", "1.200,50"."""
    if isinstance(value, bool):
        raise _BadValue
    if isinstance(value, int | float):
        return Decimal(str(value))
    text = _SPACES.sub("", str(value)).replace("−", "-")
    text = re.sub(r"(?i)(€|eur(os?)?)$", "", text).replace("€", "")
    negative = text.startswith("-")
    text = text.lstrip("+-")
    if not re.fullmatch(r"\d[\d.,]*", text):
        raise _BadValue
    separators = [char for char in text if char in ".,"]
    if len(set(separators)) == 2:
        decimal_mark = text[max(text.rfind("."), text.rfind(","))]
        thousands = "," if decimal_mark == "." else "."
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif separators:
        mark = separators[0]
        head, _, tail = text.rpartition(mark)
        # Cents have two digits: three after a single mark, or several marks, are thousands.
        if len(separators) > 1 or len(tail) == 3:
            text = text.replace(mark, "")
        else:
            text = head.replace(mark, "") + "." + tail
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise _BadValue from error
    return -amount if negative else amount


def _parse_year(value: object) -> int:
    text = _text(value)
    if not re.fullmatch(r"\d{4}", text) or not EARLIEST_YEAR <= int(text) <= LATEST_YEAR:
        raise _BadValue
    return int(text)


def _parse_website(value: object) -> str:
    text = _text(value)
    if not re.match(r"(?i)[a-z][a-z0-9+.-]*://", text):
        text = "https://" + text
    if len(text) > Authority._meta.get_field("website").max_length:
        raise _BadValue
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError as error:
        raise _BadValue from error
    return text


def _parse_dues(item: _Parsed, cells: dict[str, object]) -> None:
    raw_year = cells.get("cotisation_annee")
    raw_amount = cells.get("cotisation_montant")
    raw_paid_on = cells.get("cotisation_payee_le")
    if raw_year is None and raw_amount is None:
        if raw_paid_on is not None:
            item.errors.append(
                "date de paiement sans cotisation : indiquez l'année et le montant de la cotisation."
            )
        return
    if raw_year is None or raw_amount is None:
        item.errors.append(
            "cotisation incomplète : indiquez à la fois l'année et le montant de la cotisation."
        )
    if raw_year is not None:
        try:
            item.dues_year = _parse_year(raw_year)
        except _BadValue:
            item.errors.append(
                f"année de cotisation « {_text(raw_year)} » invalide (attendu : AAAA)."
            )
    if raw_amount is not None:
        try:
            amount = _parse_amount(raw_amount)
        except _BadValue:
            item.errors.append(
                f"montant de cotisation « {_text(raw_amount)} » invalide (exemples : 1 200,50 ou 1200)."
            )
        else:
            if amount < 0:
                item.errors.append(f"montant de cotisation négatif (« {_text(raw_amount)} »).")
            elif amount >= MAX_AMOUNT:
                item.errors.append(f"montant de cotisation « {_text(raw_amount)} » trop élevé.")
            elif amount != amount.quantize(Decimal("0.01")):
                item.errors.append(
                    f"montant de cotisation « {_text(raw_amount)} » : deux décimales au plus."
                )
            else:
                item.dues_amount = amount
    if raw_paid_on is not None:
        item.dues_paid_on = _date_or_error(item, raw_paid_on, "date de paiement de la cotisation")


def siren_is_valid(siren: str) -> bool:
    """Nine digits with a right Luhn check digit, as every SIREN has."""
    if not _SIREN.fullmatch(siren):
        return False
    total = 0
    for index, char in enumerate(siren):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def _resolve_identities(
    parsed: list[_Parsed], hints: _HintBudget, *, has_name_column: bool
) -> None:
    """Find, for every line, the territory of the referential or the SIREN of a body it
    does not list, with the authority already recorded if any (a few queries in all)."""
    codes = {item.code for item in parsed if item.code}
    by_code: dict[tuple[str, str], Territory] = {
        (territory.kind, territory.code): territory
        for territory in Territory.objects.filter(code__in=codes)
    }
    nine_digits = {code for code in codes if _SIREN.fullmatch(code)}
    communes_by_siren = {
        territory.siren: territory
        for territory in Territory.objects.filter(kind=TerritoryKind.COMMUNE, siren__in=nine_digits)
    }
    for item in parsed:
        if item.code and not item.unknown_level:
            _resolve(item, by_code, communes_by_siren, hints)

    territory_ids = {item.territory.pk for item in parsed if item.territory}
    sirens = {item.siren for item in parsed if item.siren}
    authorities = Authority.objects.filter(
        territory_id__in=territory_ids
    ) | Authority.objects.filter(siren__in=sirens)
    by_territory = {a.territory_id: a for a in authorities if a.territory_id}
    by_siren = {a.siren: a for a in authorities if a.siren}
    for item in parsed:
        if item.territory:
            item.authority = by_territory.get(item.territory.pk)
        elif item.siren:
            item.authority = by_siren.get(item.siren)
            if item.authority is None and not item.name:
                if has_name_column:
                    item.code_errors.append(
                        f"le SIREN « {item.siren} » ne figure pas dans le référentiel officiel : "
                        "indiquez le nom de l'organisme (colonne nom) pour l'ajouter."
                    )
                else:
                    item.needs_name_column = True


def _resolve(
    item: _Parsed,
    by_code: dict[tuple[str, str], Territory],
    communes_by_siren: dict[str, Territory],
    hints: _HintBudget,
) -> None:
    code, levels = item.code, item.levels
    is_siren = bool(_SIREN.fullmatch(code))
    if levels is None and not is_siren and not _COMMUNE_CODE.fullmatch(code):
        if _REGION_OR_DEPARTEMENT_CODE.fullmatch(code):
            _resolve_region_or_departement(item, by_code)
        else:
            item.code_errors.append(
                f"le code « {code} » n'est ni un code INSEE (commune, département, région) ni "
                "un SIREN (9 chiffres)."
            )
        return
    if levels is None:
        levels = (TerritoryKind.COMMUNE.value,) if not is_siren else (_OTHER,)
    if levels == (_OTHER,):
        if not is_siren:
            item.code_errors.append(
                f"le code « {code} » n'est pas un SIREN : un organisme absent du référentiel "
                "(pays, PETR, syndicat…) se désigne par son SIREN à 9 chiffres."
            )
            return
        # A SIREN of the referential (an EPCI, a commune) is that territory, whatever the
        # line says: one authority per territory.
        levels = (*_INTERCOMMUNAL, TerritoryKind.COMMUNE.value, _OTHER)
    for kind in levels:
        territory = by_code.get((kind, code))
        if territory is None and kind == TerritoryKind.COMMUNE and is_siren:
            territory = communes_by_siren.get(code)
        if territory is not None:
            item.territory = territory
            return
    if _OTHER not in levels:
        item.code_errors.append(_not_found_message(code, levels, hints))
    elif siren_is_valid(code):
        item.siren = code
    else:
        item.code_errors.append(
            f"le SIREN « {code} » n'est pas valide (sa clé de contrôle ne correspond pas) : "
            "vérifiez-le."
        )


def _resolve_region_or_departement(
    item: _Parsed, by_code: dict[tuple[str, str], Territory]
) -> None:
    code = item.code
    found = [
        by_code[(kind, code)]
        for kind in (TerritoryKind.REGION.value, TerritoryKind.DEPARTEMENT.value)
        if (kind, code) in by_code
    ]
    if len(found) == 1:
        item.territory = found[0]
    elif found:
        item.code_errors.append(
            f"le code « {code} » peut désigner une région ({found[0].name}) ou un département "
            f"({found[1].name}) ; précisez la colonne niveau."
        )
    else:
        item.code_errors.append(
            f"le code « {code} » ne correspond à aucune région ni à aucun département du "
            "référentiel officiel."
        )


def _not_found_message(code: str, levels: tuple[str, ...], hints: _HintBudget) -> str:
    message = f"le code « {code} » ne correspond à {_NONE_OF[levels]} du référentiel officiel."
    if levels == _INTERCOMMUNAL and not _SIREN.fullmatch(code):
        message += " Une intercommunalité se désigne par son SIREN (9 chiffres)."
    elif levels == (TerritoryKind.COMMUNE.value,) and len(code) == 5 and code.isdigit():
        if not hints.take():
            return message
        named = _communes_with_postal_code(code)
        if named:
            message += (
                f" C'est le code postal de {named} : le code INSEE est celui de la commune, "
                "pas son code postal."
            )
    return message


def _communes_with_postal_code(code: str) -> str:
    prefixes = ["2A", "2B"] if code.startswith("20") else [code[:2]]
    found = []
    for prefix in prefixes:
        for commune in Territory.objects.filter(
            kind=TerritoryKind.COMMUNE, code__startswith=prefix
        ).only("name", "code", "postal_codes"):
            if code in (commune.postal_codes or []):
                found.append(f"{commune.name} ({commune.code})")
    return ", ".join(found[:3])


def _recorded_memberships(
    parsed: list[_Parsed],
) -> dict[int, list[tuple[datetime.date, datetime.date | None]]]:
    ids = {item.authority.pk for item in parsed if item.authority}
    recorded: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for membership in Membership.objects.filter(authority_id__in=ids):
        recorded.setdefault(membership.authority_id, []).append(
            (membership.joined_on, membership.left_on)
        )
    return recorded


def _key(item: _Parsed) -> tuple[str, object] | None:
    if item.territory:
        return ("territory", item.territory.pk)
    if item.siren:
        return ("siren", item.siren)
    return None


def _display_name(item: _Parsed) -> str:
    if item.authority:
        return item.authority.name
    if item.territory:
        return item.territory.name
    return item.name or f"SIREN {item.siren}"


def _overlap(
    a: tuple[datetime.date, datetime.date | None], b: tuple[datetime.date, datetime.date | None]
) -> bool:
    """Two periods [joined, left) overlap; an open end runs on for ever."""
    a_start, a_end = a
    b_start, b_end = b
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


def _period_text(joined_on: datetime.date, left_on: datetime.date | None) -> str:
    if left_on is None:
        return f"depuis le {joined_on:%d/%m/%Y}"
    return f"du {joined_on:%d/%m/%Y} au {left_on:%d/%m/%Y}"


def _check_duplicates_and_overlaps(
    parsed: list[_Parsed],
    recorded: dict[int, list[tuple[datetime.date, datetime.date | None]]],
) -> None:
    """A body appears once per membership period; it may appear again for a disjoint
    period (it left and came back) or, with the same period, for the dues of another year.
    The periods of the file must not overlap those already recorded with another start
    date (a period is known by its start date: the same start date updates it)."""
    seen: dict[tuple, list[_Parsed]] = {}
    for item in parsed:
        key = _key(item)
        if key is None or item.joined_on is None:
            continue
        name = _display_name(item)
        for earlier in seen.get(key, []):
            same_period = (earlier.joined_on, earlier.left_on) == (item.joined_on, item.left_on)
            other_dues_year = (
                item.dues_year is not None
                and earlier.dues_year is not None
                and item.dues_year != earlier.dues_year
            )
            if same_period and other_dues_year:
                continue
            if item.joined_on == earlier.joined_on or same_period:
                item.errors.append(f"{name} figure déjà ligne {earlier.row.line}.")
                break
            if _overlap((earlier.joined_on, earlier.left_on), (item.joined_on, item.left_on)):
                item.errors.append(
                    f"{name} figure déjà ligne {earlier.row.line} avec une période d'adhésion "
                    "qui chevauche celle-ci."
                )
                break
            if item.dues_year is not None and item.dues_year == earlier.dues_year:
                item.errors.append(
                    f"la cotisation {item.dues_year} de {name} figure déjà ligne {earlier.row.line}."
                )
                break
        seen.setdefault(key, []).append(item)

    for items in seen.values():
        authority = items[0].authority
        if authority is None:
            continue
        file_starts = {item.joined_on for item in items}
        recorded_here = recorded.get(authority.pk, [])
        recorded_by_start = dict(recorded_here)
        others = [period for period in recorded_here if period[0] not in file_starts]
        for item in items:
            # An empty departure keeps the recorded one: check the period as it will be.
            left_on = item.left_on or recorded_by_start.get(item.joined_on)
            for period in others:
                if _overlap(period, (item.joined_on, left_on)):
                    item.errors.append(
                        f"cette période d'adhésion chevauche celle déjà enregistrée pour "
                        f"{_display_name(item)} ({_period_text(*period)}). Reprenez la date "
                        "d'adhésion enregistrée pour la mettre à jour, ou corrigez les dates."
                    )
                    break


def _member_line(item: _Parsed) -> MemberLine:
    return MemberLine(
        line=item.row.line,
        key=_key(item),
        display_name=_display_name(item),
        territory=item.territory,
        siren=item.siren,
        name=item.name,
        website=item.website,
        joined_on=item.joined_on,
        left_on=item.left_on,
        dues_year=item.dues_year,
        dues_amount=item.dues_amount,
        dues_paid_on=item.dues_paid_on,
    )


# --- 3. Writing ---------------------------------------------------------------------------


def apply_member_import(
    report: ImportReport, *, user: object = None, dry_run: bool = False
) -> ImportResult:
    """Write a checked report in one transaction: authorities (created or updated), membership
    periods and dues. A report with errors is refused (ValueError). If a write is refused on
    the way, nothing is saved and `MemberImportFailed` says which line; any other exception
    also rolls everything back. With `dry_run`, everything is done then rolled back, so the
    result tells exactly what an import would do."""
    if not report.ok:
        raise ValueError("Ce fichier contient des erreurs : rien ne peut être importé.")
    result = ImportResult(dry_run=dry_run, line_count=len(report.lines))
    note = f"Import du fichier « {report.filename} » le {timezone.localdate():%d/%m/%Y}"
    with transaction.atomic():
        for line in report.lines:
            try:
                _apply_line(line, result, user=user, note=note)
            except ValidationError as error:
                raise MemberImportFailed(
                    LineError(line.line, " ".join(error.messages) + " Rien n'a été importé.")
                ) from error
        if dry_run:
            transaction.set_rollback(True)
    return result


def _apply_line(line: MemberLine, result: ImportResult, *, user: object, note: str) -> None:
    authority, state = _authority_apply(line, user)
    result.tally("authorities", line.key, state)

    membership = authority.memberships.filter(joined_on=line.joined_on).first()
    left_on = line.left_on or (membership.left_on if membership else None)
    if membership is None:
        membership = services.membership_record(
            authority, joined_on=line.joined_on, left_on=left_on, note=note
        )
        state = CREATED
    elif membership.left_on != left_on:
        membership = services.membership_record(
            authority, joined_on=line.joined_on, left_on=left_on
        )
        state = UPDATED
    else:
        state = UNCHANGED
    _log(membership, state, user)
    result.tally("memberships", (line.key, line.joined_on), state)

    if line.dues_year is None:
        return
    dues = Dues.objects.filter(authority=authority, year=line.dues_year).first()
    paid_on = line.dues_paid_on or (dues.paid_on if dues else None)
    if dues is None:
        state = CREATED
    elif dues.amount != line.dues_amount or dues.paid_on != paid_on:
        state = UPDATED
    else:
        state = UNCHANGED
    if state != UNCHANGED:
        dues = services.dues_record(
            authority, year=line.dues_year, amount=line.dues_amount, paid_on=paid_on
        )
    _log(dues, state, user)
    result.tally("dues", (line.key, line.dues_year), state)


def _authority_apply(line: MemberLine, user: object) -> tuple[Authority, str]:
    if line.territory is not None:
        authority = Authority.objects.filter(territory=line.territory).first()
    else:
        authority = Authority.objects.filter(siren=line.siren).first()
    if authority is None:
        state = CREATED
    elif (line.name and line.name != authority.name) or (
        line.website and line.website != authority.website
    ):
        state = UPDATED
    else:
        return authority, UNCHANGED
    if line.territory is not None:
        authority = services.authority_upsert_for_territory(
            line.territory, name=line.name, website=line.website
        )
    else:
        authority = services.authority_upsert_for_siren(
            line.siren, name=line.name, website=line.website
        )
    _log(authority, state, user)
    return authority, state


def _log(instance: object, state: str, user: object) -> None:
    """The change in the record's history, with who imported it."""
    if state == UNCHANGED:
        return
    action = "wagtail.create" if state == CREATED else "wagtail.edit"
    log(instance=instance, action=action, user=user)


# --- The template file --------------------------------------------------------------------


def template_csv() -> bytes:
    """A file to fill in: the expected header and two example lines, in the format French
    Excel opens directly (UTF-8 with BOM, semicolons)."""
    this_year = timezone.localdate().year
    rows = [
        list(FIELD_HEADERS.values()),
        [
            "35238",
            "commune",
            "Ville de Rennes",
            "01/01/2012",
            "",
            "https://metropole.rennes.fr",
            str(this_year),
            "1 500,00",
            f"15/03/{this_year}",
        ],
        ["53", "région", "Région Bretagne", "2010", "", "", str(this_year), "3 000", ""],
    ]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
