from django.db import migrations

from challenges.technology_areas import PRIORITY_TECHNOLOGY_AREAS


def forwards(apps, schema_editor):
    TechnologyArea = apps.get_model("challenges", "TechnologyArea")
    for order, (slug, name) in enumerate(PRIORITY_TECHNOLOGY_AREAS, start=1):
        TechnologyArea.objects.update_or_create(slug=slug, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("challenges", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
