"""Texts kept in both languages (a criterion's name, a scheme's), shown in the reader's."""

from django.utils.translation import get_language


def in_reader_language(chinese: str, english: str | None) -> str:
    """The English text when the page is in English and one was written, else the Chinese."""
    return (english if (get_language() or "").startswith("en") else "") or chinese
