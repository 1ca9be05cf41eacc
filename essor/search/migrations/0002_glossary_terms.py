"""The glossary's first terms, from data/glossary.toml (written for Essor)."""

import tomllib
from pathlib import Path

from django.db import migrations

GLOSSARY = Path(__file__).resolve().parent.parent / "data" / "glossary.toml"


def load(apps, schema_editor):
    GlossaryTerm = apps.get_model("search", "GlossaryTerm")
    with GLOSSARY.open("rb") as handle:
        rows = tomllib.load(handle)["term"]
    for row in rows:
        GlossaryTerm.objects.get_or_create(
            acronym=row["acronym"],
            defaults={
                "expansion": row["expansion"],
                "definition": row.get("definition", ""),
                "variants": ", ".join(row.get("variants", [])),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_glossary")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
