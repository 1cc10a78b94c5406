"""Signing in: only accounts of this node.

An account that lives on another node (kept here as a copy so that histories can name who
acted) can never sign in here, even if someone set a password on the copy."""

from django.contrib.auth.backends import ModelBackend


class LocalAccountBackend(ModelBackend):
    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "home_node", "")

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and not user.home_node else None
