"""Content types for the join tables behind a service's needs and areas.

django-reversion records those join rows (see organisations/audit.py), and every version points at
a content type. Django creates content types only for models it lists, which leaves out
auto-created join tables; creating them lazily inside a request would race, so they exist from
the start.
"""

from django.db import migrations

JOIN_TABLES = ["service_categories", "service_service_areas"]


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in JOIN_TABLES:
        ContentType.objects.get_or_create(app_label="organisations", model=model)


def remove(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="organisations", model__in=JOIN_TABLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_reference_data"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
