"""Which files a command line names: files as given, folders walked for PDF and text files."""

import os
from pathlib import Path

from django.conf import settings

READABLE_SUFFIXES = {".pdf", ".txt", ".text"}


def files_of(paths: list[str]) -> tuple[list[Path], list[str]]:
    """The files to read, in a stable order, and a French message per path that does not
    exist. A folder gives its PDF and text files, sub-folders included, hidden ones skipped."""
    files: list[Path] = []
    missing: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                found
                for found in sorted(path.rglob("*"))
                if found.is_file()
                and found.suffix.lower() in READABLE_SUFFIXES
                and not any(part.startswith(".") for part in found.relative_to(path).parts)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(f"« {given} » n'existe pas (ni fichier ni dossier).")
    return list(dict.fromkeys(files)), missing


# The corpus the project was designed from: ../shared/seeds beside the checkout.
DEFAULT_CORPUS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def corpus_dir() -> Path:
    """The seeds folder: ESSOR_CORPUS_DIR (setting or environment) or ../shared/seeds."""
    configured = getattr(settings, "ESSOR_CORPUS_DIR", None) or os.environ.get("ESSOR_CORPUS_DIR")
    return Path(configured) if configured else DEFAULT_CORPUS_DIR


def corpus_files() -> list[Path]:
    """The seed documents of the corpus folder (its README left out), in name order."""
    folder = corpus_dir()
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.txt") if path.name[:1].isdigit())
