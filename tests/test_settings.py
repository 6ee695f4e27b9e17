"""Settings are read from the environment and fail loudly when unsafe."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_without_secret_key_names_the_variable():
    result = run_manage("check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_values():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        ALLOWED_HOSTS="parley.example.com",
        SITE_URL="https://parley.example.com",
        EMAIL_URL="smtp://mail.example.com:587",
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_email_url_becomes_the_default_mailer():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.MAILERS['default'])",
        DEBUG="1",
        EMAIL_URL="smtp://user:pw@127.0.0.1:2525",
    )

    assert "smtp.EmailBackend" in result.stdout
    assert "'port': 2525" in result.stdout
    assert "'username': 'user'" in result.stdout
