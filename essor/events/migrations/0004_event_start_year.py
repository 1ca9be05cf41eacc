"""Event.start_year: the local year of the start, kept on the row so past events are counted
by year from an index (issue 7). Filled here for the events already written."""

from django.db import migrations, models
from django.utils import timezone


def fill_start_year(apps, schema_editor) -> None:
    Event = apps.get_model("events", "Event")
    events = list(Event.objects.only("pk", "starts_at"))
    for event in events:
        event.start_year = timezone.localtime(event.starts_at).year if event.starts_at else None
    Event.objects.bulk_update(events, ["start_year"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_event_cancellation"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="start_year",
            field=models.PositiveSmallIntegerField(editable=False, null=True, verbose_name="année"),
        ),
        migrations.RunPython(fill_start_year, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["live", "start_year", "ends_at", "participant_count"],
                name="event_live_year",
            ),
        ),
    ]
