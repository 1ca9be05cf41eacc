"""hit@5 and MRR@10 of a search function over the judged queries (tests/data/queries.toml):
the benchmark measures Essor and Wagtail's stock backend with it, on the same data."""

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

QUERIES = Path(__file__).parent / "tests" / "data" / "queries.toml"


@dataclass
class Quality:
    queries: int = 0
    hit_at_5: float = 0.0
    mrr_at_10: float = 0.0
    misses: list[str] = field(default_factory=list)  # queries without a relevant result in 5


def judged_queries(path: Path = QUERIES) -> list[dict]:
    with path.open("rb") as handle:
        return tomllib.load(handle)["query"]


def measure(
    search_urls: Callable[[str], list[str]],
    is_relevant: Callable[[str, list[str]], bool] | None = None,
    queries: list[dict] | None = None,
) -> Quality:
    """`search_urls(text)` gives the first ten result URLs, best first; `is_relevant(url,
    relevant)` says whether one of them answers (exact URL by default)."""
    queries = queries if queries is not None else judged_queries()
    is_relevant = is_relevant or (lambda url, relevant: url in relevant)
    hits = 0
    reciprocal = 0.0
    misses = []
    for query in queries:
        urls = search_urls(query["text"])[:10]
        ranks = [
            rank for rank, url in enumerate(urls, start=1) if is_relevant(url, query["relevant"])
        ]
        if ranks and ranks[0] <= 5:
            hits += 1
        else:
            misses.append(query["text"])
        reciprocal += 1 / ranks[0] if ranks else 0.0
    count = len(queries) or 1
    return Quality(len(queries), hits / count, reciprocal / count, misses)
