"""Which régions share a land border, for "neighbouring" in comparisons. Overseas régions
and Corse have none."""

from functools import cache

_BORDERS = (
    ("11", "24"), ("11", "27"), ("11", "28"), ("11", "32"), ("11", "44"),
    ("24", "27"), ("24", "28"), ("24", "52"), ("24", "75"), ("24", "84"),
    ("27", "44"), ("27", "84"),
    ("28", "32"), ("28", "52"), ("28", "53"),
    ("32", "44"),
    ("52", "53"), ("52", "75"),
    ("75", "76"), ("75", "84"),
    ("76", "84"), ("76", "93"),
    ("84", "93"),
)  # fmt: skip


@cache
def _neighbours() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for first, second in _BORDERS:
        table.setdefault(first, set()).add(second)
        table.setdefault(second, set()).add(first)
    return {code: frozenset(codes) for code, codes in table.items()}


def neighbouring_regions(code: str) -> frozenset[str]:
    """INSEE codes of the régions bordering région `code`."""
    return _neighbours().get(code, frozenset())
