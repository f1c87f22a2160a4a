"""Production: PostgreSQL, gunicorn behind a reverse proxy, a task worker.

Refuses to start without a SECRET_KEY; see README.md for every variable.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .env import env_bool, env_int

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production (a long random string).")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on in production.")

STORAGES["staticfiles"] = {
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"
SECURE_REFERRER_POLICY = "same-origin"

SILENCED_SYSTEM_CHECKS = [
    # Wagtail's live preview shows the page in a same-origin frame: DENY would blank it.
    "security.W019",
]
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise to browsers that is hard to take back: the operator opts in.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
