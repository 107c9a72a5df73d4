"""The 数据编辑 group: keeps observations and registries, uses 提取数据.

What it may do and why is in docs/quality.md (“数据编辑”). Nothing here deletes:
deleting, indicator definitions and reference data stay with administrators.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "数据编辑"

KEEP = [  # rows a data editor adds and corrects (never deletes)
    "observation",
    "figureproposal",
    "organisation",
    "scheme",
    "award",
    "standard",
    "standardparticipation",
    "inspectioncentre",
    "measurementstandard",
    "samplingcampaign",
]
QUALITY = [
    *(f"{action}_{model}" for model in KEEP for action in ("view", "add", "change")),
    # A new period is made when a figure of a new date is entered; periods are
    # shared by every observation, so changing one is for administrators.
    "view_period",
    "add_period",
    # Chosen from, defined by administrators.
    "view_indicator",
    "view_region",
    "view_unit",
    "view_topic",
]
# The article is the source of its figures: read it, never change it.
NEWS = ["view_article"]


def forwards(apps, schema_editor):
    for label in ("news", "quality"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="quality", codename__in=QUALITY
        ),
        *Permission.objects.filter(content_type__app_label="news", codename__in=NEWS),
    )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("quality", "0004_observation_list_indexes"),
        ("news", "0004_editorial_groups_and_words"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
