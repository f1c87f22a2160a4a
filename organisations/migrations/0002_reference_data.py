"""Load the CMM territory and the tree of needs. Reversible: the reverse empties both tables
only while nothing refers to them."""

from django.db import migrations


def load(apps, schema_editor):
    from organisations.reference import load_categories, load_territories

    load_territories(apps.get_model("organisations", "Territory"))
    load_categories(apps.get_model("organisations", "Category"))


def unload(apps, schema_editor):
    Category = apps.get_model("organisations", "Category")
    Territory = apps.get_model("organisations", "Territory")
    for model in (Category, Territory):
        # Children before parents: both trees PROTECT their parent.
        for depth in range(4):
            model.objects.filter(children__isnull=True).delete()
        model.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
