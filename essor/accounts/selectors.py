"""Reads about accounts, including the export of a person's own data."""

from wagtail import hooks

from essor.accounts.models import User
from essor.core.roles import ROLE_LABELS, user_role

PERSONAL_DATA_HOOK = "essor_personal_data"


def personal_data_export(user: User) -> dict:
    """Everything Essor holds about this account, for the right of access (RGPD art. 15).

    Modules add their part through the ``essor_personal_data`` hook: ``(user) -> dict``.
    """
    data = {
        "compte": {
            "adresse_electronique": user.email,
            "prenom": user.first_name,
            "nom": user.last_name,
            "role": ROLE_LABELS[user_role(user)],
            "date_de_creation": user.date_joined.isoformat(),
            "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        }
    }
    for contribute in hooks.get_hooks(PERSONAL_DATA_HOOK):
        data.update(contribute(user))
    return data


LOGIN_USERNAME_STORED = 254


def login_username(request: object, credentials: dict | None = None) -> str:
    """The address a login attempt was made for, as axes counts failures: case and spaces
    ignored, so that "Elue@X.fr" and "elue@x.fr " share one counter."""
    raw = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username", "")
    # Cut to what axes stores (255 characters): a longer name typed or sent by a robot must
    # count as a failed attempt, not break the login page (Wagtail's admin login included).
    return str(raw).strip().lower()[:LOGIN_USERNAME_STORED]
