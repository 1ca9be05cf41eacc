from django.db import migrations


def keep_default_site_identity(apps, schema_editor) -> None:
    """One identity per instance from now on: the default site's, if several were set."""
    NetworkSettings = apps.get_model("core", "NetworkSettings")
    kept = (
        NetworkSettings.objects.filter(site__is_default_site=True).first()
        or NetworkSettings.objects.order_by("pk").first()
    )
    if kept is not None:
        NetworkSettings.objects.exclude(pk=kept.pk).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_theme"),
    ]

    operations = [
        migrations.RunPython(keep_default_site_identity, migrations.RunPython.noop),
        migrations.RemoveField(model_name="networksettings", name="site"),
    ]
