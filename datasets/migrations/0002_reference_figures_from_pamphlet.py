from django.db import migrations


def load_reference(apps, schema_editor):
    from datasets import reference

    reference.load(apps)


def unload_reference(apps, schema_editor):
    from datasets import reference

    apps.get_model("datasets", "Dataset").objects.filter(municipality=None, title=reference.REFERENCE_TITLE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("datasets", "0001_datasets_indicators_observations"),
    ]

    operations = [
        migrations.RunPython(load_reference, unload_reference),
    ]
