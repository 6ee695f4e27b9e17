"""Settings are read from the environment and fail loudly when unsafe."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def without_settings(environ):
    """Return `environ` without the settings the test run sets: a bare checkout's environment."""
    return {
        key: value
        for key, value in environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "SECURE_SSL_REDIRECT"}
    }


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**without_settings(os.environ), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_without_secret_key_names_the_variable():
    result = run_manage("check", "--deploy")

    assert result.returncode != 0
    assert "parley.E001" in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=without_settings(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    result = run_manage("makemigrations", "--check", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


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


PREPARED_AFTER_SIX_RUNS = (
    "from django.db import connection\n"
    "with connection.cursor() as cursor:\n"
    "    for _ in range(6):\n"
    "        cursor.execute('SELECT %s::int + 1', [41])\n"
    "    cursor.execute('SELECT count(*) FROM pg_prepared_statements')\n"
    "    print('prepared', cursor.fetchone()[0])\n"
)


@pytest.mark.parametrize(("setting", "prepared"), [("1", "1"), ("0", "0")])
def test_postgresql_prepares_a_query_a_connection_repeats(setting, prepared):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres", "pgsql")):
        pytest.skip("PostgreSQL only (DATABASE_URL is not PostgreSQL)")
    # The tests' own database exists only inside this pytest run.
    maintenance_database = urlsplit(database_url)._replace(path="/postgres")
    result = run_manage(
        "shell",
        "-c",
        PREPARED_AFTER_SIX_RUNS,
        DEBUG="1",
        DATABASE_URL=urlunsplit(maintenance_database),
        DATABASE_PREPARED_STATEMENTS=setting,
    )

    assert f"prepared {prepared}" in result.stdout, result.stderr
