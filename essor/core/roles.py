"""The four roles of Essor and how to tell them apart.

Roles are Django groups (created by `accounts`); a visitor is simply not logged in.
A member user is in the members group *and* attached to an authority (see `members`).
"""

from enum import StrEnum

from django.contrib.auth.models import AnonymousUser


class Role(StrEnum):
    VISITOR = "visitor"
    MEMBER = "member"
    EDITOR = "editor"
    ADMINISTRATOR = "administrator"


GROUP_NAMES = {
    Role.MEMBER: "Membres",
    Role.EDITOR: "Éditeurs",
    Role.ADMINISTRATOR: "Administrateurs",
}

ROLE_LABELS = {
    Role.VISITOR: "Visiteur",
    Role.MEMBER: "Membre du réseau",
    Role.EDITOR: "Équipe (édition)",
    Role.ADMINISTRATOR: "Administration",
}

# Higher roles see everything lower roles see.
_RANK = {Role.VISITOR: 0, Role.MEMBER: 1, Role.EDITOR: 2, Role.ADMINISTRATOR: 3}


def user_role(user: object) -> Role:
    """The highest role a user holds (cached on the user object for the request)."""
    if (
        user is None
        or isinstance(user, AnonymousUser)
        or not getattr(user, "is_authenticated", False)
    ):
        return Role.VISITOR
    cached = getattr(user, "_essor_role", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        role = Role.ADMINISTRATOR
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = Role.VISITOR
        for candidate in (Role.ADMINISTRATOR, Role.EDITOR, Role.MEMBER):
            if GROUP_NAMES[candidate] in names:
                role = candidate
                break
    user._essor_role = role
    return role


def has_role(user: object, role: Role) -> bool:
    """True when the user holds `role` or a higher one."""
    return _RANK[user_role(user)] >= _RANK[role]
