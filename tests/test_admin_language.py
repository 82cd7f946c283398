"""The admin in the reader's language where Django and django-axes bring no Chinese of their
own: django-axes's names, the two-box picker (the judges' recusals), the admin's newer
strings, permissions and the password page's help."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ZH, EN = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}, {"HTTP_ACCEPT_LANGUAGE": "en"}


def page(client, url, language=ZH) -> str:
    response = client.get(url, **language)
    assert response.status_code == 200, url
    return response.content.decode()


def test_admin_names_django_axes_and_its_models_in_chinese(client, admin_alice):
    client.force_login(admin_alice)
    index = page(client, reverse("admin:index"))
    assert "登录锁定" in index and "登录尝试记录" in index and "登录日志" in index
    assert "Access attempts" not in index and "Axes" not in index
    assert "模型名称" in index


def test_admin_picker_strings_are_in_chinese(client, admin_alice):
    client.force_login(admin_alice)
    catalog = page(client, reverse("admin:jsi18n"))
    assert "\\u9009\\u4e2d\\u8981\\u6dfb\\u52a0\\u7684" in catalog or "选中要添加的" in catalog


def test_admin_permissions_and_password_help_follow_the_readers_language(client, admin_alice):
    client.force_login(admin_alice)
    change = page(client, reverse("admin:auth_user_change", args=[admin_alice.pk]))
    assert "可以添加村庄" in change and "Can add village" not in change
    password = reverse("admin:auth_user_password_change", args=[admin_alice.pk])
    assert "如果禁用，该用户当前的密码将会丢失。" in page(client, password)
    english = page(client, password, EN)
    assert "If disabled, the current password for this user will be lost." in english
    assert "用户是否能够使用密码进行认证" not in english
