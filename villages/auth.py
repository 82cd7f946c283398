"""Who is asking: the signed-in user and their role, in one query per request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class RoleBackend(ModelBackend):
    """Django's ModelBackend, which also loads the user's role with the user.

    Every signed-in page asks who the user is and then what they may do (villages.permissions);
    loading both together saves a query on every request.
    """

    def get_user(self, user_id):
        model = get_user_model()
        users = model._default_manager.select_related("membership__district", "membership__street")
        try:
            user = users.get(pk=user_id)
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        user._leitai_membership = getattr(user, "membership", None)
        return user
