"""Django's model backend, loading the signed-in user together with their organization.

Every signed-in request needs the organization (its time zone, its tenant id, its settings); loading it with the
user saves one query on every page, which the query-count tests of the list pages count."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class UserWithOrganizationBackend(ModelBackend):
    def get_user(self, user_id):
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("organization").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
