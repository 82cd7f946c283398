import datetime as dt

import factory
from django.contrib.auth.models import User

from villages.models import District, Membership, Secretary, Street, Tenure, Village

PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    name = factory.Sequence(lambda n: f"测试区{n}")


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"测试街道{n}")
    kind = Street.Kind.STREET


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    street = factory.SubFactory(StreetFactory)
    code = factory.Sequence(lambda n: f"V{n:06d}")
    name = factory.Sequence(lambda n: f"测试村{n}")


class SecretaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Secretary

    name = factory.Sequence(lambda n: f"书记{n}")
    gender = Secretary.Gender.MALE
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class TenureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenure

    secretary = factory.SubFactory(SecretaryFactory)
    village = factory.SubFactory(VillageFactory)
    start = dt.date(2021, 1, 1)
    end = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.JUDGE
    district = factory.SelfAttribute("street.district")
    street = factory.SubFactory(StreetFactory)
