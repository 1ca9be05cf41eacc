from django.db import migrations, models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce


def fill_peer_columns(apps, schema_editor):
    """Copy every authority's population and région code from its territory (the same
    UPDATE as AuthorityQuerySet.refresh_peer_columns, on the historical models)."""
    Authority = apps.get_model("members", "Authority")
    Territory = apps.get_model("territories", "Territory")
    territory = Territory.objects.filter(pk=OuterRef("territory_id"))
    region_code = territory.annotate(
        region_code=Case(When(kind="region", then=F("code")), default=F("region__code"))
    ).values("region_code")[:1]
    Authority.objects.update(
        peer_population=Subquery(territory.values("population")[:1]),
        peer_region=Coalesce(Subquery(region_code), Value("")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_profile_sheet_and_memberships"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="authority",
            name="peer_population",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="authority",
            name="peer_region",
            field=models.CharField(blank=True, default="", editable=False, max_length=3),
        ),
        migrations.AddIndex(
            model_name="authority",
            index=models.Index(
                fields=["kind", "peer_region", "peer_population"], name="authority_peers_idx"
            ),
        ),
        migrations.RunPython(fill_peer_columns, migrations.RunPython.noop),
    ]
