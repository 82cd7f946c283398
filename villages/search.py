"""Finding a secretary or a village by name, pinyin initials or code."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from pypinyin import Style, lazy_pinyin

from villages.models import Tenure, Village
from villages.permissions import villages_visible_to

PINYIN_LENGTH = 100  # Village.pinyin and Secretary.pinyin max_length


def initials(text: str) -> str:
    """The lowercase first letter of each syllable's pinyin: 杜家庄子村 → djzzc.

    A character with several readings takes its default one. Letters and digits that are not
    Chinese are kept, lowercased; spaces and punctuation are dropped.
    """
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER))
    return "".join(c for c in letters.lower() if c.isascii() and c.isalnum())[:PINYIN_LENGTH]


@dataclass(frozen=True)
class SearchResults:
    """Secretaries (as their open tenure, with village and street) and villages that match."""

    tenures: list[Tenure]
    villages: list[Village]
    more: bool  # either list was cut at the limit

    def __bool__(self) -> bool:
        return bool(self.tenures or self.villages)


def _rank(exact: Q, prefix: Q) -> Case:
    """Exact matches first, then prefixes, then anything containing the text."""
    return Case(
        When(exact, then=Value(0)),
        When(prefix, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def search(user: User | AnonymousUser, q: str, *, limit: int = 20) -> SearchResults:
    """Secretaries leading a village the user may see now, and such villages, matching `q`.

    Name matches anywhere; typed Latin letters also match the pinyin initials, and a code
    matches from its start. Two queries (none for empty text), each list at most `limit` long.
    """
    q = q.strip()
    if not q:
        return SearchResults(tenures=[], villages=[], more=False)
    # Initials are stored lowercase ASCII: only Latin text can match them.
    key = q.lower() if q.isascii() and q.isalnum() else None

    secretary = Q(secretary__name__icontains=q)
    secretary_prefix = Q(secretary__name__startswith=q)
    if key:
        secretary |= Q(secretary__pinyin__contains=key)
        secretary_prefix |= Q(secretary__pinyin__startswith=key)
    tenures = list(
        Tenure.objects.filter(secretary, end__isnull=True, village__in=villages_visible_to(user))
        .select_related("secretary", "village__street")
        .annotate(rank=_rank(Q(secretary__name=q), secretary_prefix))
        .order_by("rank", "secretary__name", "village__code")[: limit + 1]
    )

    village = Q(name__icontains=q) | Q(code__startswith=q)
    village_prefix = Q(name__startswith=q) | Q(code__startswith=q)
    if key:
        village |= Q(pinyin__contains=key)
        village_prefix |= Q(pinyin__startswith=key)
    leader = Tenure.objects.filter(village=OuterRef("pk"), end__isnull=True)
    villages = list(
        villages_visible_to(user)
        .filter(village)
        .select_related("street")
        .annotate(
            secretary_name=Subquery(leader.values("secretary__name")[:1]),
            rank=_rank(Q(name=q) | Q(code=q), village_prefix),
        )
        .order_by("rank", "code")[: limit + 1]
    )

    return SearchResults(
        tenures=tenures[:limit],
        villages=villages[:limit],
        more=len(tenures) > limit or len(villages) > limit,
    )
