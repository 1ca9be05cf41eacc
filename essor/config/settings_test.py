"""Test settings: Essor's settings with fast hashing, in-memory mail, and undefined
template variables made visible so that page tests can fail on them."""

from essor.config.settings import *  # noqa: F403
from essor.config.settings import TEMPLATES

UNDEFINED_MARKER = "⟦undefined⟧"
TEMPLATES[0]["OPTIONS"]["string_if_invalid"] = UNDEFINED_MARKER + "%s"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
DEBUG = False
