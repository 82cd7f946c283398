"""The organisation being evaluated: districts, streets, villages, secretaries, who leads what."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Street(models.Model):
    class Kind(models.TextChoices):
        STREET = "street", _("street")
        DEVELOPMENT_ZONE = "development_zone", _("development zone")
        CENTER = "center", _("development center")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="streets", verbose_name=_("district")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STREET)

    class Meta:
        ordering = ["district__name", "name"]
        verbose_name = _("street")
        verbose_name_plural = _("streets")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="street_unique_name"),
            models.CheckConstraint(
                condition=Q(kind__in=["street", "development_zone", "center"]),
                name="street_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Village(models.Model):
    street = models.ForeignKey(
        Street, on_delete=models.PROTECT, related_name="villages", verbose_name=_("street")
    )
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        help_text=_("A stable code, for example the statistical division code."),
    )
    name = models.CharField(_("name"), max_length=100)
    pinyin = models.CharField(
        _("pinyin initials"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The first letter of each syllable of the name, for search."),
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive villages take no part in competitions.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("village")
        verbose_name_plural = _("villages")
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="village_code_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Secretary(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("male")
        FEMALE = "female", _("female")

    name = models.CharField(_("name"), max_length=50)
    pinyin = models.CharField(
        _("pinyin initials"),
        max_length=100,
        blank=True,
        db_index=True,
        help_text=_("The first letter of each syllable of the name, for search."),
    )
    gender = models.CharField(_("gender"), max_length=6, choices=Gender.choices)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("secretary")
        verbose_name_plural = _("secretaries")
        indexes = [models.Index(fields=["name", "phone"], name="secretary_name_phone")]

    def __str__(self) -> str:
        return self.name


class Tenure(models.Model):
    """A secretary leading a village from a date until a date (open while `end` is empty)."""

    secretary = models.ForeignKey(
        Secretary, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("secretary")
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("village")
    )
    start = models.DateField(_("in office from"))
    end = models.DateField(_("in office until"), null=True, blank=True)

    class Meta:
        ordering = ["village__code", "-start"]
        verbose_name = _("tenure")
        verbose_name_plural = _("tenures")
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(end__isnull=True),
                name="tenure_one_open_per_village",
            ),
            models.UniqueConstraint(
                fields=["secretary"],
                condition=Q(end__isnull=True),
                name="tenure_one_open_per_secretary",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")),
                name="tenure_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secretary} · {self.village}"

    @property
    def is_open(self) -> bool:
        return self.end is None


class Membership(models.Model):
    """What a user is in the organisation: district staff, street staff or a judge."""

    class Role(models.TextChoices):
        DISTRICT_STAFF = "district_staff", _("district staff")
        STREET_STAFF = "street_staff", _("street staff")
        JUDGE = "judge", _("judge")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="membership",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="members", verbose_name=_("district")
    )
    street = models.ForeignKey(
        Street,
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
        verbose_name=_("street"),
        help_text=_("Required for street staff; empty for district staff."),
    )

    class Meta:
        ordering = ["district__name", "role", "user__username"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["district_staff", "street_staff", "judge"]),
                name="membership_role_valid",
            ),
            models.CheckConstraint(
                condition=~Q(role="street_staff") | Q(street__isnull=False),
                name="membership_street_staff_has_street",
            ),
            models.CheckConstraint(
                condition=~Q(role="district_staff") | Q(street__isnull=True),
                name="membership_district_staff_has_no_street",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def clean(self) -> None:
        if self.street_id and self.district_id and self.street.district_id != self.district_id:
            raise ValidationError({"street": _("The street must belong to the chosen district.")})
        if self.role == self.Role.STREET_STAFF and not self.street_id:
            raise ValidationError({"street": _("Street staff must belong to a street.")})
        if self.role == self.Role.DISTRICT_STAFF and self.street_id:
            raise ValidationError({"street": _("District staff belong to the whole district.")})


class RosterUpload(models.Model):
    """A previewed roster file, kept here until it is applied or an hour has passed.

    Confirming a preview names this row instead of sending the file back: a form field as large
    as a 5 MB file would exceed DATA_UPLOAD_MAX_MEMORY_SIZE. In the database, not on a disk,
    so that any app process can apply what another one previewed.
    """

    token = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    data = models.BinaryField()
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("previewed roster file")
        verbose_name_plural = _("previewed roster files")

    def __str__(self) -> str:
        return f"{self.filename} · {self.created_at:%Y-%m-%d %H:%M}"
