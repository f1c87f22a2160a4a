"""Read settings from environment variables, failing loudly on values that make no sense.

Kept apart from ``base.py`` so that every settings module reads the environment the same way.
"""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use 1/0, true/false, yes/no).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def email_settings(url: str) -> dict:
    """Turn ``EMAIL_URL`` into Django's email settings.

    ``smtp://user:password@host:587?tls=1``, ``smtps://...`` (implicit TLS), ``console:``,
    ``locmem:``, ``file:///path/to/dir`` or ``dummy:``.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    simple = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "dummy": "django.core.mail.backends.dummy.EmailBackend",
    }
    if scheme in simple:
        return {"EMAIL_BACKEND": simple[scheme]}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if scheme in {"smtp", "smtps", "submission"}:
        query = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port
            or (465 if scheme == "smtps" else 587 if scheme == "submission" else 25),
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "submission" or query.get("tls", "").lower() in _TRUE,
            "EMAIL_TIMEOUT": int(query.get("timeout", "10")),
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL={url!r}: unknown scheme {scheme!r} "
        "(use smtp://, smtps://, submission://, console:, locmem:, file:// or dummy:)."
    )


TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.backend.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}


def tasks_backend(name: str) -> str:
    if name in TASK_BACKENDS:
        return TASK_BACKENDS[name]
    if "." in name:
        return name
    raise ImproperlyConfigured(
        f"TASKS_BACKEND={name!r}: use one of {', '.join(TASK_BACKENDS)} or a dotted path."
    )
