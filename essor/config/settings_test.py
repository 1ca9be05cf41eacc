"""Test settings: Essor's settings with fast hashing, in-memory mail and immediate tasks."""

from essor.config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"
DEBUG = False

# One process: the local memory cache is shared and emptied before each test (conftest).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
