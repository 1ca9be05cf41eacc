from django.db import migrations

TERRITORY_TYPES = [
    ("qpv", "Quartier prioritaire de la politique de la ville (QPV)"),
    ("zrr", "Zone de revitalisation rurale (ZRR)"),
    ("rural", "Rural"),
    ("urbain", "Urbain"),
    ("montagne", "Montagne"),
    ("littoral", "Littoral"),
    ("drom", "Outre-mer (DROM)"),
]


def create_types(apps, schema_editor):
    TerritoryType = apps.get_model("initiatives", "TerritoryType")
    for position, (code, name) in enumerate(TERRITORY_TYPES):
        TerritoryType.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0001_initial")]
    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
