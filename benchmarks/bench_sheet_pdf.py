"""Time to render a "Déniché pour vous" practice sheet as a PDF (target: under one second).

`run()` expects Django to be set up on a migrated database (the default one, not a test one).
It builds a typical sheet — five sections of a few paragraphs, linked authorities when the
database has some — inside a transaction it rolls back, so nothing stays behind, then renders
the PDF a member would download (contacts included, the page cache bypassed) `runs` times
after one warm-up render (fonts, templates), which is reported apart.
Run alone: `.venv/bin/python benchmarks/bench_sheet_pdf.py [runs]`.
"""

import statistics
import time
from pathlib import Path

TARGET_SECONDS = 1.0
RUNS = 10
MARK = "Données synthétiques (banc d'essai)."
PARAGRAPH = (
    "<p>Une association et une coopérative ont ouvert ensemble un lieu de réemploi : "
    "collecte d'objets, réparation, revente à petit prix, ateliers ouverts aux habitants. "
    "Le projet emploie des salariés en parcours d'insertion et travaille avec les écoles, "
    "les bailleurs sociaux et les commerçants du quartier.</p>"
)


def _host() -> str:
    from django.conf import settings

    usable = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "") and host[0] != "."]
    return usable[0] if usable else "localhost"


def _request():
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/", HTTP_HOST=_host())
    request.user = AnonymousUser()
    return request


def _typical_sheet():
    """A sheet as long as the network's (one to two A4 pages), saved as published."""
    from django.db.models import Max

    from essor.core.editorial import unique_slug
    from essor.initiatives.models import PracticeSheet, SheetAuthority
    from essor.members.models import Authority

    number = (PracticeSheet.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    title = "Un lieu de réemploi porté par une coopérative (banc d'essai)"
    sheet = PracticeSheet.objects.create(
        number=number,
        title=title,
        slug=unique_slug(PracticeSheet, title),
        origin=f"<p>{MARK}</p>" + PARAGRAPH * 3,
        financing="<ul><li>Région : 40 000 € par an</li><li>Ventes : 55 %</li>"
        "<li>Fondation : 15 000 € (2017)</li></ul>",
        authorities_role=PARAGRAPH * 2,
        key_figures="<ul><li>14 salariés</li><li>220 tonnes évitées par an</li></ul>",
        contacts="<p>Personne Synthétique, coordinatrice, contact@exemple.invalid</p>",
        origin_event="Journée d'échanges (banc d'essai)",
    )
    for authority in Authority.objects.order_by("pk")[:3]:
        SheetAuthority.objects.create(sheet=sheet, authority=authority)
    return sheet


def _measure(sheet, runs: int) -> dict:
    from essor.initiatives.sheet_selectors import published_sheet
    from essor.initiatives.sheet_views import render_sheet_pdf

    request = _request()
    loaded = published_sheet(sheet.number)  # as the view reads it
    started = time.perf_counter()
    content = render_sheet_pdf(loaded, request, show_contacts=True)
    first = time.perf_counter() - started
    durations = []
    for _run in range(runs):
        started = time.perf_counter()
        render_sheet_pdf(loaded, request, show_contacts=True)
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    return {
        "median_seconds": round(median, 4),
        "max_seconds": round(max(durations), 4),
        "first_seconds": round(first, 4),
        "runs": runs,
        "pdf_bytes": len(content),
        "target_seconds": TARGET_SECONDS,
        "target_met": median < TARGET_SECONDS,
    }


def run(runs: int = RUNS) -> dict:
    """Median and maximum time of rendering a typical sheet's PDF over `runs` renders."""
    from django.db import transaction

    with transaction.atomic():
        result = _measure(_typical_sheet(), runs)
        transaction.set_rollback(True)  # the sheet was only needed for the measure
    return result


if __name__ == "__main__":
    import os
    import sys

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essor.config.settings")
    django.setup()
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else RUNS))
