"""Signing in: only accounts of this node.

An account that lives on another node (kept here as a copy so that histories can name who
acted) can never sign in here, even if someone set a password on the copy."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

User = get_user_model()


class LocalAccountBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "home_node", "")

    def get_user(self, user_id):
        """ModelBackend.get_user with the staff member's agency and supervision area in
        the same query: every workspace view reads one of them (the staff member's time
        zone), which cost a second query per request."""
        try:
            user = User._default_manager.select_related("agency", "scope_region").get(pk=user_id)
        except User.DoesNotExist:
            return None
        if not self.user_can_authenticate(user) or user.home_node:
            return None
        return user
