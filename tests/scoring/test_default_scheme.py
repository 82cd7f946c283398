from decimal import Decimal

import pytest
from django.utils import translation

from scoring.models import Scheme

pytestmark = pytest.mark.django_db


def test_migration_creates_the_default_five_plus_n_scheme():
    scheme = Scheme.objects.get()
    criteria = list(scheme.criteria.all())
    required = [c for c in criteria if c.required]
    optional = [c for c in criteria if not c.required]

    assert [c.name for c in required] == [
        "个人政治表现",
        "加强组织建设",
        "带领村庄发展",
        "基层治理服务",
        "清廉规范履职",
    ]
    assert {c.max_points for c in required} == {Decimal(20)}
    assert sum(c.max_points for c in required) == Decimal(100)
    assert len(optional) >= 4
    assert {c.max_points for c in optional} == {Decimal(10)}
    assert {"基层治理", "民生项目", "后备干部队伍建设", "农村人居环境整治"} <= {
        c.name for c in optional
    }
    for criterion in criteria:
        assert criterion.name_en and criterion.guidance and criterion.guidance_en


def test_criteria_speak_the_page_language():
    criterion = Scheme.objects.get().criteria.get(code="political")
    with translation.override("en"):
        assert criterion.label == "Personal political performance"
        assert criterion.guidance_text.startswith("Holds firm ideals")
    with translation.override("zh-hans"):
        assert criterion.label == "个人政治表现"
        assert criterion.guidance_text.startswith("坚定理想信念")
