"""The admin site, closed to sessions a judge's sign-in card opened: a card is for scoring."""

from django.contrib import admin

from villages.permissions import CARD_SCOPE


class LeitaiAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and CARD_SCOPE not in request.session
