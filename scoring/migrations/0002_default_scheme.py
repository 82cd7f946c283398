"""The default "5+N" scheme: five required items at 20 points, optional items at 10 points."""

from decimal import Decimal

from django.db import migrations

SCHEME = {
    "name": "“5+N”标准评价方案",
    "name_en": "Standard “5+N” scheme",
    "description": (
        "5项必考内容每季度相同，每项20分；N项选考内容从本季度村级重点任务中选取，每项10分。"
    ),
}

# (code, required, points, name, name_en, guidance, guidance_en)
CRITERIA = [
    (
        "political",
        True,
        20,
        "个人政治表现",
        "Personal political performance",
        "坚定理想信念，带头学习贯彻党的理论和路线方针政策；严守政治纪律和政治规矩；"
        "在重大任务和急难险重工作中冲锋在前。",
        "Holds firm ideals; leads in studying and carrying out the Party's theory, line and "
        "policies; keeps political discipline and rules; is in front in major, urgent and "
        "difficult tasks.",
    ),
    (
        "organization",
        True,
        20,
        "加强组织建设",
        "Strengthening organizational construction",
        "落实“三会一课”、主题党日等组织生活制度；党员发展和教育管理规范；"
        "村“两委”班子团结、分工明确；党组织阵地建好用好。",
        "Holds regular organisational life (“three meetings and one lesson”, Party theme days); "
        "recruits, educates and manages Party members properly; the two village committees are "
        "united with clear duties; the Party organisation's venues are kept and used.",
    ),
    (
        "development",
        True,
        20,
        "带领村庄发展",
        "Leading village development",
        "发展壮大村集体经济，集体收入稳定增长；培育特色产业，推动项目落地；带动群众增收致富。",
        "Grows the village collective economy and its income; builds distinctive industries and "
        "lands projects; helps villagers raise their incomes.",
    ),
    (
        "service",
        True,
        20,
        "基层治理服务",
        "Grassroots governance services",
        "网格化治理落实到位，矛盾纠纷就地化解；为群众办实事、解难题；"
        "安全生产、信访稳定等工作成效明显。",
        "Grid governance is in place and disputes are settled in the village; practical help "
        "for villagers' needs; clear results in work safety, petitions and stability.",
    ),
    (
        "integrity",
        True,
        20,
        "清廉规范履职",
        "Clean and standardized performance of duties",
        "严守廉洁纪律；落实“四议两公开”，村务、财务按时公开；村集体“三资”管理规范；"
        "无违纪违法问题。",
        "Keeps the rules of integrity; follows “four deliberations and two disclosures” and "
        "publishes village affairs and finances on time; manages the collective's funds, assets "
        "and resources properly; no breach of discipline or law.",
    ),
    (
        "governance",
        False,
        10,
        "基层治理",
        "Grassroots governance",
        "本季度基层治理重点任务（如“红网格”治理试点）的推进情况和成效。",
        "Progress and results of the quarter's key grassroots-governance task, for example the "
        "“red grid” governance pilot.",
    ),
    (
        "livelihood",
        False,
        10,
        "民生项目",
        "People's-livelihood projects",
        "道路、饮水、养老等民生实事项目的推进进度、建设质量和群众满意度。",
        "Progress, quality and villagers' satisfaction with livelihood projects such as roads, "
        "drinking water and elderly care.",
    ),
    (
        "reserve",
        False,
        10,
        "后备干部队伍建设",
        "Reserve-cadre building",
        "后备干部的物色、培养和使用，年轻党员发展和在外人才回引情况。",
        "Finding, training and using reserve cadres; recruiting young Party members and "
        "bringing talent back to the village.",
    ),
    (
        "environment",
        False,
        10,
        "农村人居环境整治",
        "Rural living environment",
        "村庄清洁行动，垃圾和污水治理，厕所改造，村容村貌提升。",
        "Village clean-up, refuse and sewage treatment, toilet upgrades, and the village's "
        "appearance.",
    ),
]


def create_default_scheme(apps, schema_editor):
    Scheme = apps.get_model("scoring", "Scheme")
    Criterion = apps.get_model("scoring", "Criterion")
    scheme, _created = Scheme.objects.get_or_create(
        name=SCHEME["name"],
        defaults={"name_en": SCHEME["name_en"], "description": SCHEME["description"]},
    )
    for position, (code, required, points, name, name_en, guidance, guidance_en) in enumerate(
        CRITERIA, start=1
    ):
        Criterion.objects.get_or_create(
            scheme=scheme,
            code=code,
            defaults={
                "required": required,
                "max_points": Decimal(points),
                "name": name,
                "name_en": name_en,
                "guidance": guidance,
                "guidance_en": guidance_en,
                "position": position,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]

    operations = [migrations.RunPython(create_default_scheme, migrations.RunPython.noop)]
