"""A deterministic demo district modelled on Hanting District, Weifang: 9 streets, 403 villages."""

import datetime as dt
import random

from villages.roster import COLUMNS

DISTRICT = "寒亭区"
STREETS = [
    ("寒亭街道", "street", 52),
    ("开元街道", "street", 48),
    ("固堤街道", "street", 45),
    ("高里街道", "street", 47),
    ("朱里街道", "street", 44),
    ("寒亭经济开发区", "development_zone", 46),
    ("杨家埠旅游发展中心", "center", 41),
    ("双杨现代农业发展中心", "center", 40),
    ("泊子现代农业发展中心", "center", 40),
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
GIVEN = {
    "male": "建国伟强军磊洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林立志海峰文",
    "female": "红霞丽娟英敏静秀兰玉芳燕琳婷慧洁萍梅雪颖",
}
VILLAGE_HEADS = "东西南北前后大小上下"
VILLAGE_TAILS = ("家庄", "家庄子", "官庄", "家埠", "家屯", "家营", "家洼", "家岭", "家河", "家店")
HISTORY_EVERY = 20  # one village in twenty changed secretary in 2024


def _person(rng: random.Random, female_share: float) -> dict[str, str]:
    gender = "female" if rng.random() < female_share else "male"
    given = "".join(rng.choice(GIVEN[gender]) for _ in range(rng.choice((1, 2, 2))))
    return {"secretary": rng.choice(SURNAMES) + given, "gender": gender}


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days))


def rosters() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The founding roster of every village, and the changes of 2024 (new secretaries)."""
    # Demo data, not secrets: a seeded generator makes every run the same.
    rng = random.Random(20220713)  # noqa: S311 - the date of the source article
    phones: set[str] = set()

    def phone() -> str:
        while True:
            number = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
            if number not in phones:
                phones.add(number)
                return number

    first, changes = [], []
    for s, (street, kind, count) in enumerate(STREETS, start=1):
        names: set[str] = set()
        for v in range(1, count + 1):
            village = ""
            while not village or village in names:
                village = rng.choice(SURNAMES) + rng.choice(VILLAGE_TAILS)
                if rng.random() < 0.3:
                    village = rng.choice(VILLAGE_HEADS) + village
                village += "村" if rng.random() < 0.85 else "社区"
            names.add(village)
            row = {
                "district": DISTRICT,
                "street": street,
                "street_kind": kind,
                "village_code": f"370703{s:03d}{v:03d}",
                "village": village,
                **_person(rng, 0.15),
                "phone": phone(),
                "since": _date(rng, dt.date(2015, 1, 1), dt.date(2023, 6, 30)).isoformat(),
            }
            first.append(row)
            if (s * 1000 + v) % HISTORY_EVERY == 0:
                changes.append(
                    row
                    | {
                        **_person(rng, 0.2),
                        "phone": phone(),
                        "since": _date(rng, dt.date(2024, 1, 1), dt.date(2024, 12, 31)).isoformat(),
                    }
                )
    assert all(set(r) == set(COLUMNS) for r in first)
    return first, changes
