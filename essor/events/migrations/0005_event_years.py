"""The published events and participants per year (`EventYear`, kept by year_counts.py), filled
here from the events already written; and the index on the end widened with what the agenda
and the past years read, so they read it alone (issue 7)."""

from django.db import migrations, models

# As year_counts.rebuild() at the time of this migration.
REBUILD = (
    "INSERT INTO events_eventyear (year, events, participants)"
    " SELECT start_year, COUNT(*), COALESCE(SUM(participant_count), 0) FROM events_event"
    " WHERE live AND start_year IS NOT NULL GROUP BY start_year"
)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0004_event_start_year"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventYear",
            fields=[
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        primary_key=True, serialize=False, verbose_name="année"
                    ),
                ),
                ("events", models.IntegerField(default=0, verbose_name="événements")),
                (
                    "participants",
                    models.BigIntegerField(default=0, verbose_name="participants comptés"),
                ),
            ],
            options={
                "verbose_name": "année d'événements",
                "verbose_name_plural": "années d'événements",
            },
        ),
        migrations.RunSQL(REBUILD, migrations.RunSQL.noop),
        migrations.RemoveIndex(model_name="event", name="event_live_end"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["live", "ends_at", "kind", "starts_at", "start_year", "participant_count"],
                name="event_live_end_read",
            ),
        ),
    ]
