from django.db import migrations

from accounts.allies import NATO_ALLIES

ROLE_GROUPS = ["reviewer", "programme_manager", "site_manager", "ministry"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Ally = apps.get_model("accounts", "Ally")
    for name in ROLE_GROUPS:
        Group.objects.get_or_create(name=name)
    for code, joined in NATO_ALLIES.items():
        Ally.objects.update_or_create(code=code, defaults={"joined": joined})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
