"""Who is asking: the signed-in user and their role, in one query per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError


class RoleBackend(ModelBackend):
    """Django's ModelBackend, which also loads the user's role with the user: every signed-in
    page asks who the user is and then what they may do (villages.permissions)."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            user_id = model._meta.pk.to_python(user_id)
        except ValidationError:  # a session holding a malformed id signs nobody in
            return None
        users = model._default_manager.select_related("membership__district", "membership__street")
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        return user
