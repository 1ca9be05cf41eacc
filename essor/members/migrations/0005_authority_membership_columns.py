from django.db import migrations, models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce


def fill_peer_departement(apps, schema_editor):
    """Copy every authority's département code from its territory (as
    AuthorityQuerySet.refresh_peer_columns does, on the historical models)."""
    Authority = apps.get_model("members", "Authority")
    Territory = apps.get_model("territories", "Territory")
    territory = Territory.objects.filter(pk=OuterRef("territory_id"))
    departement_code = territory.annotate(
        area_code=Case(When(kind="departement", then=F("code")), default=F("departement__code"))
    ).values("area_code")[:1]
    Authority.objects.update(peer_departement=Coalesce(Subquery(departement_code), Value("")))


def fill_membership_columns(apps, schema_editor):
    """Copy every authority's latest membership period and first day of membership (the
    same UPDATE as AuthorityQuerySet.refresh_membership_columns, on the historical models)."""
    Authority = apps.get_model("members", "Authority")
    Membership = apps.get_model("members", "Membership")
    periods = Membership.objects.filter(authority=OuterRef("pk"))
    latest = periods.order_by("-joined_on")
    Authority.objects.update(
        membership_start=Subquery(latest.values("joined_on")[:1]),
        membership_end=Subquery(latest.values("left_on")[:1]),
        first_joined_on=Subquery(periods.order_by("joined_on").values("joined_on")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_authority_peer_columns"),
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="authority",
            name="first_joined_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="authority",
            name="membership_end",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="authority",
            name="membership_start",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="membership",
            index=models.Index(
                fields=["authority", "joined_on", "left_on"], name="membership_periods_idx"
            ),
        ),
        migrations.AddField(
            model_name="authority",
            name="peer_departement",
            field=models.CharField(blank=True, default="", editable=False, max_length=3),
        ),
        migrations.AddIndex(
            model_name="authority",
            index=models.Index(
                fields=[
                    "peer_region",
                    "peer_departement",
                    "kind",
                    "membership_start",
                    "membership_end",
                    "first_joined_on",
                ],
                name="authority_areas_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="authority",
            index=models.Index(
                fields=[
                    "kind",
                    "-peer_population",
                    "search_name",
                    "membership_start",
                    "membership_end",
                    "first_joined_on",
                ],
                name="authority_levels_idx",
            ),
        ),
        migrations.AlterField(
            model_name="authority",
            name="search_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.AddIndex(
            model_name="authority",
            index=models.Index(
                fields=["search_name", "membership_start", "membership_end", "first_joined_on"],
                name="authority_names_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="authority",
            index=models.Index(
                fields=["first_joined_on", "search_name"], name="authority_seniority_idx"
            ),
        ),
        migrations.RunPython(fill_membership_columns, migrations.RunPython.noop),
        migrations.RunPython(fill_peer_departement, migrations.RunPython.noop),
    ]
