"""The facet index: for each option of the list's facets, the set of published initiatives
that have it, as a bitmap (a Python int whose bit n stands for the initiative of id n).

The list and the map then count any selection with a few ANDs and popcounts instead of eight
grouped queries over every initiative. The index is derived data kept consistent ON WRITE:
every save or delete of an initiative or of a line it is filtered on (places, involvements,
levers, themes, territory types, an involved authority) calls `refresh()` in the same
transaction, which recomputes that initiative's keys from the database and flips its bits
where they changed (`FacetMembership` keeps each initiative's keys to find the difference).
`rebuild()` (`essor facet_index_rebuild`) recomputes everything: after bulk writes that send
no signal (the synthetic generator calls it; a re-import of the territorial referential
should too, the région and département of places come from it).

Keys are "facet:value": `all:` (the published initiatives), `theme:<pk>`, `territoire:<pk>`
(primary keys: renaming a slug or code changes nothing), `niveau:<level>`, `soutien:<code of
a supporting département>`, `levier:<lever>`, `forme:<legal form>`, `region:<code>`,
`annee:<decade>`, `dep:<code>` (the map: places in a département) and `commune:<code>`. The
communes, too many for a bitmap each, are one array of (commune, initiative) pairs in the
`communes:` row, counted with numpy for the map.
"""

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cached_property

import numpy as np
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from essor.core.models import Theme
from essor.initiatives.models import (
    FacetBitmap,
    FacetMembership,
    Initiative,
    InitiativePlace,
    Involvement,
    LeverUse,
    TerritoryType,
)
from essor.members.directory import LEVELS
from essor.members.models import Authority
from essor.territories.models import Territory
from essor.territories.signals import referential_imported

ALL = "all:"
COMMUNES = "communes:"
COMMUNE_PREFIX = "commune:"
CHUNK = 500  # ids per query when refreshing many initiatives

_LEVEL_OF_KIND = {kind: key for key, (_label, kinds) in LEVELS.items() for kind in kinds}


# --- bitmaps ---------------------------------------------------------------------------------


def to_bytes(bits: int) -> bytes:
    return bits.to_bytes((bits.bit_length() + 7) // 8, "little")


def from_bytes(raw: bytes | memoryview | None) -> int:
    return int.from_bytes(raw or b"", "little")


def bitmap_of(ids: Iterable[int]) -> int:
    """The bitmap of a set of ids."""
    ids = np.fromiter(ids, dtype=np.int64)
    if not ids.size:
        return 0
    flags = np.zeros(int(ids.max()) + 1, dtype=bool)
    flags[ids] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def ids_of(bits: int) -> list[int]:
    """The ids of a bitmap, in increasing order."""
    if not bits:
        return []
    raw = np.frombuffer(to_bytes(bits), dtype=np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")).tolist()


def flags_of(bits: "int | np.ndarray") -> np.ndarray:
    """A boolean array indexed by id (as long as the highest id of the bitmap plus one, or
    as the words of a BitmapTable)."""
    if isinstance(bits, np.ndarray):
        return np.unpackbits(bits.view(np.uint8), bitorder="little")
    return np.unpackbits(np.frombuffer(to_bytes(bits), dtype=np.uint8), bitorder="little")


# --- what an initiative is indexed under -----------------------------------------------------


def _decade(year: int) -> str:
    start = year // 10 * 10
    return f"{start}-{start + 9}"


def _restricted(queryset: object, field: str, ids: list[int] | None) -> object:
    return queryset if ids is None else queryset.filter(**{f"{field}__in": ids})


def memberships(ids: list[int] | None = None) -> dict[int, set[str]]:
    """The keys of each published initiative among `ids` (every one when None); six
    queries, read as plain values (the same semantics as browse.facet_condition)."""
    keys: dict[int, set[str]] = {}
    published = _restricted(Initiative.objects.filter(live=True), "pk", ids)
    for pk, legal_form, year in published.values_list("pk", "legal_form", "year_started"):
        found = keys[pk] = {ALL}
        if legal_form:
            found.add(f"forme:{legal_form}")
        if year is not None:
            found.add(f"annee:{_decade(year)}")
    if not keys:
        return keys
    live = Q(initiative__live=True)
    for model, column, facet in (
        (Initiative.themes.through, "theme_id", "theme"),
        (Initiative.territory_types.through, "territorytype_id", "territoire"),
    ):
        rows = _restricted(model.objects.filter(live), "initiative_id", ids)
        for pk, value in rows.values_list("initiative_id", column):
            keys[pk].add(f"{facet}:{value}")
    involvements = _restricted(Involvement.objects.filter(live), "initiative_id", ids)
    for pk, kind, territory_kind, code in involvements.values_list(
        "initiative_id",
        "authority__kind",
        "authority__territory__kind",
        "authority__territory__code",
    ):
        if kind in _LEVEL_OF_KIND:
            keys[pk].add(f"niveau:{_LEVEL_OF_KIND[kind]}")
        if territory_kind == "departement":
            keys[pk].add(f"soutien:{code}")
    levers = _restricted(LeverUse.objects.filter(live), "initiative_id", ids)
    for pk, lever in levers.values_list("initiative_id", "lever"):
        if lever:
            keys[pk].add(f"levier:{lever}")
    places = _restricted(InitiativePlace.objects.filter(live), "initiative_id", ids)
    for pk, kind, code, region, departement in places.values_list(
        "initiative_id",
        "territory__kind",
        "territory__code",
        "territory__region__code",
        "territory__departement__code",
    ):
        keys[pk].update(_place_keys(kind, code, region, departement))
    return keys


def _place_keys(kind: str, code: str, region: str | None, departement: str | None) -> set[str]:
    """A place counts in its région and département, or is one (browse._in_regions and the
    map's grouping), and a commune for the map's dots."""
    found = set()
    if kind == "region":
        found.add(f"region:{code}")
    if region:
        found.add(f"region:{region}")
    if kind == "departement":
        found.add(f"dep:{code}")
    elif departement:
        found.add(f"dep:{departement}")
    if kind == "commune":
        found.add(f"{COMMUNE_PREFIX}{code}")
    return found


# --- writing ---------------------------------------------------------------------------------


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


@transaction.atomic
def refresh(ids: Iterable[int]) -> None:
    """Bring the index up to date for these initiatives (published, edited, unpublished or
    deleted): their keys recomputed, only the bitmaps that change written."""
    for chunk in _chunks(sorted(set(ids))):
        new = memberships(chunk)
        old = {
            pk: set(keys.split())
            for pk, keys in FacetMembership.objects.filter(initiative__in=chunk).values_list(
                "initiative", "keys"
            )
        }
        added: dict[str, set[int]] = defaultdict(set)
        removed: dict[str, set[int]] = defaultdict(set)
        changed = []
        for pk in chunk:
            before, after = old.get(pk, set()), new.get(pk, set())
            if before == after:
                continue
            changed.append(pk)
            for key in after - before:
                added[key].add(pk)
            for key in before - after:
                removed[key].add(pk)
        if not changed:
            continue
        FacetMembership.objects.filter(initiative__in=changed).delete()
        FacetMembership.objects.bulk_create(
            FacetMembership(initiative=pk, keys=" ".join(sorted(new[pk])))
            for pk in changed
            if new.get(pk)
        )
        _apply(added, removed)


def _apply(added: dict[str, set[int]], removed: dict[str, set[int]]) -> None:
    flips = {key for key in [*added, *removed] if not key.startswith(COMMUNE_PREFIX)}
    if flips:
        # Rows made first (ignoring those another transaction made), then locked in a fixed
        # order: concurrent refreshes wait for each other instead of losing an update.
        FacetBitmap.objects.bulk_create(
            [FacetBitmap(key=key, facet=key.split(":")[0]) for key in added if key in flips],
            ignore_conflicts=True,
        )
        rows = list(FacetBitmap.objects.select_for_update().filter(key__in=flips).order_by("key"))
        for row in rows:
            bits = from_bytes(row.bits)
            bits |= bitmap_of(added.get(row.key, ()))
            bits &= ~bitmap_of(removed.get(row.key, ()))
            row.bits = to_bytes(bits)
        FacetBitmap.objects.bulk_update(rows, ["bits"])
        FacetBitmap.objects.filter(key__in=flips, bits=b"").exclude(key=ALL).delete()
    commune_added = _commune_pairs(added)
    commune_removed = _commune_pairs(removed)
    if commune_added or commune_removed:
        row, _ = FacetBitmap.objects.select_for_update().get_or_create(
            key=COMMUNES, defaults={"facet": "communes"}
        )
        stored = decode_communes(row.bits)
        pairs = (set(stored.pairs()) - commune_removed) | commune_added
        info = stored.info()
        info.update(_commune_info({code for code, _pk in commune_added} - set(info)))
        row.bits = encode_communes(pairs, info)
        row.save(update_fields=["bits"])


def _commune_info(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Name and département code of communes, from the referential (the map's dots and
    table show them; the index keeps them so that the map reads no territory)."""
    codes = sorted(codes)
    info = {code: (code, "") for code in codes}  # not in the referential: its code
    for start in range(0, len(codes), CHUNK):
        rows = Territory.objects.filter(kind="commune", code__in=codes[start : start + CHUNK])
        for code, name, departement in rows.values_list("code", "name", "departement__code"):
            info[code] = (name, departement or "")
    return info


def _commune_pairs(keys: dict[str, set[int]]) -> set[tuple[str, int]]:
    return {
        (key[len(COMMUNE_PREFIX) :], pk)
        for key, ids in keys.items()
        if key.startswith(COMMUNE_PREFIX)
        for pk in ids
    }


@transaction.atomic
def rebuild() -> int:
    """Recompute the whole index from the database; the number of published initiatives.
    Reads values only, so that it also runs from a migration."""
    keys = memberships()
    by_key: dict[str, list[int]] = defaultdict(list)
    for pk, found in keys.items():
        for key in found:
            by_key[key].append(pk)
    pairs = _commune_pairs(by_key)
    info = _commune_info({code for code, _pk in pairs})
    FacetBitmap.objects.all().delete()
    FacetMembership.objects.all().delete()
    FacetBitmap.objects.bulk_create(
        [
            FacetBitmap(key=key, facet=key.split(":")[0], bits=to_bytes(bitmap_of(ids)))
            for key, ids in by_key.items()
            if not key.startswith(COMMUNE_PREFIX)
        ]
        + [FacetBitmap(key=COMMUNES, facet="communes", bits=encode_communes(pairs, info))],
        batch_size=200,
    )
    FacetMembership.objects.bulk_create(
        (
            FacetMembership(initiative=pk, keys=" ".join(sorted(found)))
            for pk, found in keys.items()
        ),
        batch_size=2000,
    )
    if ALL not in by_key:
        FacetBitmap.objects.create(key=ALL, facet="all")
    return len(keys)


# --- keeping it up to date: signal receivers --------------------------------------------------

_deferred = threading.local()


@contextmanager
def deferred() -> Iterator[None]:
    """Collect the initiatives to refresh and refresh them once, at the end of the block
    (still inside the caller's transaction): for writes of many lines at once, such as
    deleting thousands of initiatives."""
    outer = getattr(_deferred, "ids", None)
    _deferred.ids = set() if outer is None else outer
    try:
        yield
        if outer is None:
            refresh(_deferred.ids)
    finally:
        if outer is None:
            _deferred.ids = None


@contextmanager
def rebuilt_after() -> Iterator[None]:
    """Ignore the writes of the block and rebuild the whole index at its end: for bulk
    writes of thousands of initiatives (the synthetic generator)."""
    outer = getattr(_deferred, "ids", None)
    _deferred.ids = set()
    try:
        yield
        rebuild()
    finally:
        _deferred.ids = outer


def _refresh_soon(ids: Iterable[int]) -> None:
    pending = getattr(_deferred, "ids", None)
    if pending is None:
        refresh(ids)
    else:
        pending.update(ids)


def _initiative_written(sender: type, instance: Initiative, **kwargs: object) -> None:
    _refresh_soon([instance.pk])


def _line_written(sender: type, instance: object, **kwargs: object) -> None:
    _refresh_soon([instance.initiative_id])


def _authority_saved(sender: type, instance: object, **kwargs: object) -> None:
    # Its kind and territory place its initiatives in the "niveau" and "soutien" facets.
    involved = Involvement.objects.filter(authority_id=instance.pk)
    _refresh_soon(involved.values_list("initiative_id", flat=True).distinct())


def _holders(key: str) -> list[int]:
    """The initiatives the index has under `key` (those a deleted option concerned)."""
    raw = FacetBitmap.objects.filter(key=key).values_list("bits", flat=True).first()
    return ids_of(from_bytes(raw))


def _option_deleted(sender: type, instance: object, **kwargs: object) -> None:
    facet = "theme" if sender is Theme else "territoire"
    _refresh_soon(_holders(f"{facet}:{instance.pk}"))


def _options_changed(
    sender: type,
    instance: object,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: object,
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:  # initiative.themes.add(…)
        _refresh_soon([instance.pk])
    elif pk_set is not None:  # theme.initiatives.add(…)
        _refresh_soon(pk_set)
    else:  # theme.initiatives.clear(): the index knows which initiatives had it
        facet = "theme" if sender is Initiative.themes.through else "territoire"
        _refresh_soon(_holders(f"{facet}:{instance.pk}"))


def connect_signals() -> None:
    """Called from the app's ready(): every write the index depends on refreshes it."""
    for signal in (post_save, post_delete):
        signal.connect(_initiative_written, sender=Initiative, dispatch_uid="facets-initiative")
        for model in (InitiativePlace, Involvement, LeverUse):
            signal.connect(_line_written, sender=model, dispatch_uid=f"facets-{model.__name__}")
    post_save.connect(_authority_saved, sender=Authority, dispatch_uid="facets-authority")
    for model in (Theme, TerritoryType):
        post_delete.connect(_option_deleted, sender=model, dispatch_uid=f"facets-{model.__name__}")
    for relation in (Initiative.themes, Initiative.territory_types):
        m2m_changed.connect(
            _options_changed, sender=relation.through, dispatch_uid=f"facets-{relation.through}"
        )
    # Places' régions, départements and communes' names come from the referential.
    referential_imported.connect(_referential_imported, dispatch_uid="facets-referential")


def _referential_imported(**kwargs: object) -> None:
    rebuild()


# --- the communes' pairs ---------------------------------------------------------------------


class CommunePairs:
    """The (commune, initiative) pairs of published initiatives: the sorted commune codes
    with their names and départements' codes and, per pair, the index of its code and the
    initiative's id. The three lists stay encoded until read: the map needs the names and
    départements of its thousand communes only, out of thousands."""

    def __init__(
        self,
        codes: bytes,
        names: bytes,
        departements: bytes,
        code_index: np.ndarray,
        ids: np.ndarray,
    ) -> None:
        self._encoded = {"codes": codes, "names": names, "departements": departements}
        self.code_index = code_index
        self.ids = ids

    @cached_property
    def codes(self) -> list[str]:
        return _split(self._encoded["codes"], ",")

    @cached_property
    def names(self) -> list[str]:
        return _split(self._encoded["names"], _NAMES_SEPARATOR)

    @cached_property
    def departements(self) -> list[str]:
        return _split(self._encoded["departements"], ",")

    def pairs(self) -> Iterator[tuple[str, int]]:
        codes = self.codes
        for index, pk in zip(self.code_index.tolist(), self.ids.tolist(), strict=True):
            yield codes[index], pk

    def info(self) -> dict[str, tuple[str, str]]:
        return dict(zip(self.codes, zip(self.names, self.departements, strict=True), strict=True))

    def ranked(
        self, among: "int | np.ndarray", limit: int, described: int = 0
    ) -> tuple[list[tuple[str, int, str]], list[str], int]:
        """The `limit` communes where most initiatives of the bitmap `among` act (most first,
        then by code) as (code, number, name), the département codes of the first
        `described` of them, and the number of communes where any does."""
        totals = self._totals(among)
        if totals is None:
            return [], [], 0
        present = np.flatnonzero(totals)
        order = _most_first(totals, present, limit)
        top = zip(
            _picked(self._encoded["codes"], ",", order),
            totals[order].tolist(),
            _picked(self._encoded["names"], _NAMES_SEPARATOR, order),
            strict=True,
        )
        departements = _picked(self._encoded["departements"], ",", order[:described])
        return list(top), departements, int(present.size)

    @cached_property
    def code_count(self) -> int:
        encoded = self._encoded["codes"]
        return encoded.count(b",") + 1 if encoded else 0

    def _totals(self, among: "int | np.ndarray") -> np.ndarray | None:
        if not self.ids.size or not (among.any() if isinstance(among, np.ndarray) else among):
            return None
        flags = flags_of(among)
        inside = self.ids < flags.size
        inside[inside] = flags[self.ids[inside]].astype(bool)
        return np.bincount(self.code_index[inside], minlength=self.code_count)

    def counts(self, among: int) -> dict[str, int]:
        """Initiatives of the bitmap `among` acting in each commune (communes without any
        left out), in the order of the codes."""
        totals = self._totals(among)
        if totals is None:
            return {}
        present = np.flatnonzero(totals)
        codes = self.codes
        return dict(
            zip([codes[i] for i in present.tolist()], totals[present].tolist(), strict=True)
        )


_NAMES_SEPARATOR = "\x1f"  # the unit separator: never in a name


def _split(encoded: bytes, separator: str) -> list[str]:
    return encoded.decode().split(separator) if encoded else []


def _most_first(totals: np.ndarray, present: np.ndarray, limit: int) -> np.ndarray:
    """The `limit` indexes of `present` with the highest totals, ties in index order (codes
    are sorted: by code). One number per index says both, highest total first: only the
    `limit` smallest are sorted, not the thousands of communes."""
    keys = (int(totals.max()) - totals[present]).astype(np.int64) * totals.size + present
    if keys.size > limit:
        keys = keys[np.argpartition(keys, limit - 1)[:limit]]
    keys.sort()
    return keys % totals.size


def _picked(encoded: bytes, separator: str, order: np.ndarray) -> list[str]:
    """Items `order` of a list encoded as `separator`-joined UTF-8, the others left encoded:
    a few hundred of the thousands of names cost less to cut out than to split them all.
    The items' bytes, each with the separator after it, are gathered in one numpy indexing
    and decoded at once (a slice and a decode per item cost as much as the rest)."""
    if not order.size:
        return []
    joiner = ord(separator)
    padded = np.frombuffer(encoded + separator.encode(), dtype=np.uint8)
    ends = np.flatnonzero(padded == joiner)  # the last one: the padding's
    starts = np.concatenate(([0], ends[:-1] + 1))
    first, lengths = starts[order], ends[order] - starts[order] + 1
    # Each output byte's position in `padded`: its item's start, plus its rank in the item.
    shifts = np.repeat(first - (np.cumsum(lengths) - lengths), lengths)
    picked = padded[shifts + np.arange(shifts.size)].tobytes().decode()
    return picked.split(separator)[:-1]


def encode_communes(pairs: Iterable[tuple[str, int]], info: dict[str, tuple[str, str]]) -> bytes:
    """Three lines (codes, names, départements' codes), then two little-endian uint32
    arrays: each pair's code index and initiative id."""
    pairs = sorted(pairs)
    codes = sorted({code for code, _pk in pairs})
    position = {code: index for index, code in enumerate(codes)}
    lines = [
        ",".join(codes),
        _NAMES_SEPARATOR.join(info.get(code, (code, ""))[0] for code in codes),
        ",".join(info.get(code, (code, ""))[1] for code in codes),
    ]
    code_index = np.array([position[code] for code, _pk in pairs], dtype="<u4")
    ids = np.array([pk for _code, pk in pairs], dtype="<u4")
    return "\n".join(lines).encode() + b"\n" + code_index.tobytes() + ids.tobytes()


def decode_communes(raw: bytes | memoryview | None) -> CommunePairs:
    raw = bytes(raw or b"")
    empty = np.zeros(0, dtype="<u4")
    if not raw:
        return CommunePairs(b"", b"", b"", empty, empty)
    codes, names, departements, body = raw.split(b"\n", 3)
    count = len(body) // 8
    if not codes:
        return CommunePairs(b"", b"", b"", empty, empty)
    return CommunePairs(
        codes,
        names,
        departements,
        np.frombuffer(body, dtype="<u4", count=count),
        np.frombuffer(body, dtype="<u4", count=count, offset=count * 4),
    )


# --- reading ---------------------------------------------------------------------------------


class BitmapTable:
    """Bitmaps read at once, as the rows of a matrix of 64-bit words: counting the options of
    a facet is one AND and popcount over its rows (a Python int per bitmap cost a conversion
    from bytes each, and an AND and a popcount per option). A key absent from the rows is an
    empty bitmap."""

    def __init__(self, stored: dict[str, bytes]) -> None:
        width = max((len(raw) for raw in stored.values()), default=0)
        width = max(8, -(-width // 8) * 8)  # bytes per row, whole words
        buffer = bytearray(len(stored) * width)
        for number, raw in enumerate(stored.values()):
            buffer[number * width : number * width + len(raw)] = raw
        self.width = width
        self.matrix = np.frombuffer(buffer, dtype="<u8").reshape(len(stored), width // 8)
        self.position = {key: number for number, key in enumerate(stored)}

    def words(self, key: str) -> np.ndarray:
        number = self.position.get(key)
        if number is None:
            return np.zeros(self.width // 8, dtype="<u8")
        return self.matrix[number]

    def any_of(self, keys: Iterable[str]) -> np.ndarray:
        """The initiatives under at least one of `keys`."""
        numbers = [self.position[key] for key in keys if key in self.position]
        return np.bitwise_or.reduce(self.matrix[numbers], axis=0, initial=0)

    def words_of(self, bits: int) -> np.ndarray:
        """A bitmap given as an int, as words of this table (ids beyond its rows dropped:
        no row has them)."""
        raw = to_bytes(bits)[: self.width].ljust(self.width, b"\0")
        return np.frombuffer(raw, dtype="<u8")

    def counts(self, among: np.ndarray, numbers: list[int] | None = None) -> np.ndarray:
        """How many of `among` each row has (the rows `numbers`, every row by default)."""
        rows = self.matrix if numbers is None else self.matrix[numbers]
        return np.bitwise_count(rows & among).sum(axis=1)


def as_int(words: np.ndarray) -> int:
    """Words of a BitmapTable as a bitmap."""
    return int.from_bytes(words.tobytes(), "little")


def rows(facets: Iterable[str]) -> dict[str, bytes]:
    """The stored rows of these facets, by key (the `communes` facet: the communes' pairs)."""
    facets = list(facets)
    table, key, bits, facet = map(
        connection.ops.quote_name, (FacetBitmap._meta.db_table, "key", "bits", "facet")
    )
    marks = ", ".join(["%s"] * len(facets))
    sql = f"SELECT {key}, {bits} FROM {table} WHERE {facet} IN ({marks})"  # noqa: S608 - bound
    with connection.cursor() as cursor:
        cursor.execute(sql, facets)
        return dict(cursor.fetchall())


def commune_pairs() -> CommunePairs:
    raw = FacetBitmap.objects.filter(key=COMMUNES).values_list("bits", flat=True).first()
    return decode_communes(raw)
