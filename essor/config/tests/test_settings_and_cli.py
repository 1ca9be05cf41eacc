import os
import subprocess
import sys

import pytest


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "essor.config.settings", **env}
    return subprocess.run(
        [sys.executable, "-m", "essor", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_essor_command_runs_django_management_commands():
    result = _run("help")
    assert result.returncode == 0
    for command in ("territories_import", "demo", "serve", "migrate"):
        assert command in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("check", ESSOR_ENV="production", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY est obligatoire" in result.stderr


@pytest.mark.parametrize(
    "setting, expected", [("LANGUAGE_CODE", "fr"), ("TIME_ZONE", "Europe/Paris")]
)
def test_french_locale_and_paris_time(settings, setting, expected):
    assert getattr(settings, setting) == expected
