"""Topics carry copies of their entry's municipality, unit, date and sex, so the topic
counts of a unit and period are one index-only scan (see EntryTopic)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_from_entries(apps, schema_editor):
    """Each topic takes its entry's values, in one statement."""
    topic = apps.get_model("logbooks", "EntryTopic")._meta.db_table
    entry = apps.get_model("logbooks", "Entry")._meta.db_table
    columns = ("municipality_id", "unit_id", "date", "sex")
    if schema_editor.connection.vendor == "postgresql":
        # A join: millions of topics in seconds.
        sets = ", ".join(f"{c} = e.{c}" for c in columns)
        schema_editor.execute(f"UPDATE {topic} t SET {sets} FROM {entry} e WHERE e.id = t.entry_id")
    else:
        sets = ", ".join(f"{c} = (SELECT e.{c} FROM {entry} e WHERE e.id = {topic}.entry_id)" for c in columns)
        schema_editor.execute(f"UPDATE {topic} SET {sets}")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_data_version"),
        ("logbooks", "0003_entry_covering_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="entrytopic",
            name="municipality",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="accounts.municipality"),
        ),
        migrations.AddField(
            model_name="entrytopic",
            name="unit",
            field=models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="accounts.unit"),
        ),
        migrations.AddField(model_name="entrytopic", name="date", field=models.DateField(null=True)),
        migrations.AddField(
            model_name="entrytopic",
            name="sex",
            field=models.CharField(choices=[("kvinde", "Woman"), ("mand", "Man"), ("andet", "Other"),
                                            ("uoplyst", "Not stated")], max_length=10, null=True),
        ),
        migrations.RunPython(copy_from_entries, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entrytopic",
            name="municipality",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="accounts.municipality"),
        ),
        migrations.AlterField(
            model_name="entrytopic",
            name="unit",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="accounts.unit"),
        ),
        migrations.AlterField(model_name="entrytopic", name="date", field=models.DateField()),
        migrations.AlterField(
            model_name="entrytopic",
            name="sex",
            field=models.CharField(choices=[("kvinde", "Woman"), ("mand", "Man"), ("andet", "Other"),
                                            ("uoplyst", "Not stated")], max_length=10),
        ),
        migrations.AddIndex(
            model_name="entrytopic",
            index=models.Index(fields=["municipality", "unit", "date"], include=("topic", "sex", "raised_by"),
                               name="logbook_topic_unit_date_cover"),
        ),
    ]
