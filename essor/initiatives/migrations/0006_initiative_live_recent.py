from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0005_facet_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="initiative",
            index=models.Index(
                fields=["live", "-year_started", "name"], name="initiative_live_recent"
            ),
        ),
    ]
