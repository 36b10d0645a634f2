from django.db import migrations

CATEGORIES = [
    ("road-pothole", "道路の穴・ひび割れ", "Road potholes and cracks", "道路"),
    ("streetlight", "街灯の不点灯", "Street light out", "道路"),
    ("park-equipment", "公園遊具の破損", "Damaged park equipment", "公園"),
    ("illegal-dumping", "不法投棄", "Illegal dumping", "環境"),
    ("graffiti", "落書き", "Graffiti", "環境"),
    ("mirror-sign", "カーブミラー・標識", "Traffic mirrors and signs", "道路"),
    ("other", "その他", "Other", "その他"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("reports_map", "Category")
    Question = apps.get_model("reports_map", "CategoryQuestion")
    for order, (code, name_ja, name_en, group) in enumerate(CATEGORIES):
        category, _ = Category.objects.get_or_create(
            service_code=code, defaults={"name_ja": name_ja, "name_en": name_en, "group": group, "order": order}
        )
        if code == "road-pothole":
            Question.objects.get_or_create(
                category=category, code="size", defaults={
                    "datatype": "singlevaluelist", "required": False, "order": 1,
                    "description_ja": "穴・ひび割れの大きさ", "description_en": "Size of the hole or crack",
                    "values": [{"key": "small", "name_ja": "小（手のひら程度）", "name_en": "Small (palm-sized)"},
                               {"key": "medium", "name_ja": "中（靴程度）", "name_en": "Medium (shoe-sized)"},
                               {"key": "large", "name_ja": "大（それ以上）", "name_en": "Large (bigger)"}],
                },
            )
        if code == "streetlight":
            Question.objects.get_or_create(
                category=category, code="pole_number", defaults={
                    "datatype": "string", "required": False, "order": 1,
                    "description_ja": "電柱・街灯の番号（分かれば）", "description_en": "Pole number (if known)",
                },
            )


class Migration(migrations.Migration):
    dependencies = [("reports_map", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
