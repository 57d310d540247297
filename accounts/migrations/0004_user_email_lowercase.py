import unicodedata

import django.db.models.functions.text
from django.db import migrations, models


def canonicalise_emails(apps, schema_editor):
    # Login now matches the canonical address exactly; older rows (e.g. edited in the
    # platform admin) may have kept capitals or spaces.
    User = apps.get_model("accounts", "User")
    for user in User.objects.all().only("pk", "email"):
        canonical = unicodedata.normalize("NFKC", user.email).strip().lower()
        if canonical != user.email:
            User.objects.filter(pk=user.pk).update(email=canonical)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_data_version"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(canonicalise_emails, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.CheckConstraint(
                condition=models.Q(("email", django.db.models.functions.text.Lower("email"))),
                name="user_email_lowercase",
            ),
        ),
    ]
