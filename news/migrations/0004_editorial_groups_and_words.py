"""Editorial roles (编辑 / 审核 / 终审发布) and a starter 错敏字 list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = [
    "view_article", "add_article", "change_article", "submit_article",
    "view_byline", "add_byline", "change_byline", "delete_byline",
    "view_channel", "view_tag", "add_tag", "change_tag",
    "view_person", "add_person", "change_person",
    "view_image", "add_image", "change_image",
    "view_revision", "view_sensitiveword",
]
REVIEWER = [*EDITOR, "review_article"]
PUBLISHER = [
    *REVIEWER, "publish_article", "delete_article",
    "view_previewlink", "change_previewlink",
    "add_sensitiveword", "change_sensitiveword", "delete_sensitiveword",
    "view_auditlog",
]
GROUPS = {"编辑": EDITOR, "审核": REVIEWER, "终审发布": PUBLISHER}

# (wrong, correct, note): common mistakes in Chinese news copy.
WORDS = [
    ("扫黑险恶", "扫黑除恶", "专项斗争名称"),
    ("中华人民共合国", "中华人民共和国", "国名"),
    ("按装", "安装", ""),
    ("既使", "即使", ""),
    ("再接再励", "再接再厉", ""),
    ("一股作气", "一鼓作气", ""),
    ("迫不急待", "迫不及待", ""),
    ("金榜提名", "金榜题名", ""),
    ("走头无路", "走投无路", ""),
    ("甘败下风", "甘拜下风", ""),
    ("默守成规", "墨守成规", ""),
    ("谈笑风声", "谈笑风生", ""),
    ("一愁莫展", "一筹莫展", ""),
    ("原形必露", "原形毕露", ""),
    ("出奇不意", "出其不意", ""),
    ("穿流不息", "川流不息", ""),
    ("不径而走", "不胫而走", ""),
    ("破斧沉舟", "破釜沉舟", ""),
    ("心驰神住", "心驰神往", ""),
    ("世外桃园", "世外桃源", ""),
    ("黄粱美梦", "黄粱一梦", ""),
    ("明查暗访", "明察暗访", ""),
    ("相辅相承", "相辅相成", ""),
    ("言简意骇", "言简意赅", ""),
    ("饮鸠止渴", "饮鸩止渴", ""),
    ("不能自己", "不能自已", ""),
    ("变本加利", "变本加厉", ""),
    ("直接了当", "直截了当", ""),
    ("按步就班", "按部就班", ""),
    ("名不符实", "名不副实", ""),
    ("仗义直言", "仗义执言", ""),
    ("有持无恐", "有恃无恐", ""),
    ("悬梁刺骨", "悬梁刺股", ""),
    ("蛛丝蚂迹", "蛛丝马迹", ""),
    ("以逸代劳", "以逸待劳", ""),
    ("美仑美奂", "美轮美奂", ""),
    ("国家质检总局", "国家市场监督管理总局", "机构已改革，2018年起"),
    ("质监局", "市场监督管理局", "机构已改革"),
    ("工商局", "市场监督管理局", "机构已改革"),
    ("台湾总统", "台湾地区领导人", "规范表述"),
    ("港澳台", "香港、澳门、台湾", "规范表述"),
]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("news")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="news", codename__in=codenames
            )
        )
    SensitiveWord = apps.get_model("news", "SensitiveWord")
    for wrong, correct, note in WORDS:
        SensitiveWord.objects.get_or_create(
            wrong=wrong, defaults={"correct": correct, "note": note}
        )


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()
    apps.get_model("news", "SensitiveWord").objects.filter(
        wrong__in=[w for w, _, _ in WORDS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0003_article_search_index"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
