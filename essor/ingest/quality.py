"""Precision and recall of the extraction against facts written by hand (the benchmark and
the quality test share this scoring). A person is found when the extracted name folds to the
expected name or one of its written variants; a place when the same territory (level and
official code) is found. A person found twice counts once as right and once as wrong."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from essor.core.text import fold

EXPECTED_FACTS = Path(__file__).parent / "tests" / "data" / "expected_facts.toml"


@dataclass
class Score:
    expected: int
    found: int
    right: int
    missed: list[str]
    wrong: list[str]

    @property
    def precision(self) -> float:
        return self.right / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


def expected_documents(path: Path = EXPECTED_FACTS) -> list[dict]:
    with path.open("rb") as handle:
        return tomllib.load(handle)["document"]


def name_key(name: str) -> str:
    return fold(name.replace("-", " "))


def people_score(expected: list[dict], extracted: list[dict]) -> Score:
    owners = {
        name_key(variant): person["name"]
        for person in expected
        for variant in [person["name"], *person.get("aliases", [])]
    }
    seen: set[str] = set()
    wrong = []
    for person in extracted:
        owner = owners.get(name_key(person["name"]))
        if owner is None or owner in seen:
            wrong.append(person["name"])
        else:
            seen.add(owner)
    missed = [person["name"] for person in expected if person["name"] not in seen]
    return Score(len(expected), len(extracted), len(seen), missed, wrong)


def places_score(expected: list[dict], extracted: list[dict]) -> Score:
    wanted = {(place["kind"], place["code"]): place["text"] for place in expected}
    found = {(place["kind"], place["code"]): place["text"] for place in extracted}
    right = wanted.keys() & found.keys()
    return Score(
        len(wanted),
        len(found),
        len(right),
        sorted(f"{wanted[key]} ({key[1]})" for key in wanted.keys() - right),
        sorted(f"{found[key]} ({key[1]})" for key in found.keys() - right),
    )


def combined(scores: list[Score]) -> Score:
    return Score(
        sum(score.expected for score in scores),
        sum(score.found for score in scores),
        sum(score.right for score in scores),
        [name for score in scores for name in score.missed],
        [name for score in scores for name in score.wrong],
    )
