"""Settings come from the environment, are safe by default and fail loudly on nonsense."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cms.settings.env import email_settings, env_bool, tasks_backend

ROOT = Path(__file__).resolve().parent.parent
MAKE = shutil.which("make") or "/usr/bin/make"


def run_manage(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", "--settings=cms.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_passes_the_deployment_checklist_with_its_variables_set(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level=WARNING",
        "--settings=cms.settings.production",
        SECRET_KEY="x" * 64 + "-a-long-random-production-secret",
        ALLOWED_HOSTS="repertoire.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        EMAIL_URL="smtp://mailer:secret@smtp.example.org:587?tls=1",
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_base_settings_are_safe_by_default():
    from cms.settings import base

    if "DEBUG" not in os.environ:
        assert base.DEBUG is False


@pytest.mark.parametrize("raw, expected", [("1", True), ("yes", True), ("off", False), ("", False)])
def test_booleans_are_read_in_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_a_boolean_that_is_not_one_is_refused(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG")


def test_email_url_configures_smtp_with_tls():
    settings = email_settings("smtp://user%40x:p%3Ass@mail.example.org:587?tls=1")
    assert settings["EMAIL_HOST"] == "mail.example.org"
    assert settings["EMAIL_PORT"] == 587
    assert settings["EMAIL_HOST_USER"] == "user@x"
    assert settings["EMAIL_HOST_PASSWORD"] == "p:ss"
    assert settings["EMAIL_USE_TLS"] is True
    assert email_settings("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_unknown_email_and_task_backends_are_refused():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL"):
        email_settings("carrier-pigeon://roof")
    with pytest.raises(ImproperlyConfigured, match="TASKS_BACKEND"):
        tasks_backend("celery")
    assert tasks_backend("database") == "django_tasks_db.backend.DatabaseBackend"


def test_make_run_on_another_port_gives_emails_links_to_that_port():
    """`make run PORT=8091` (or HOST): the links in emails point at the server being run."""
    environment = {k: v for k, v in os.environ.items() if k != "SITE_URL"}
    dry_run = subprocess.run(
        [MAKE, "-n", "serve", "demo", "PORT=8091", "HOST=localhost"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout

    assert (
        "SITE_URL=http://localhost:8091 .venv/bin/python manage.py runserver localhost:8091"
        in dry_run
    )
    assert "SITE_URL=http://localhost:8091 .venv/bin/python manage.py seed_demo" in dry_run


def test_a_site_url_set_by_hand_wins_over_the_port():
    environment = {**os.environ, "SITE_URL": "https://repertoire.example.org"}
    dry_run = subprocess.run(
        [MAKE, "-n", "serve", "PORT=8091"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout

    assert "SITE_URL=https://repertoire.example.org .venv/bin/python manage.py runserver" in dry_run
