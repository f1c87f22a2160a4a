"""The test suite: fast hashing, mail kept in memory, tasks run at once."""

import tempfile
from pathlib import Path

from .base import *
from .env import env_str

SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "geocoding"],
    }
}
# No test reaches the internet: the geocoding tests point this at a loopback Nominatim.
GEOCODER = "offline"
GEOCODER_MIN_DELAY_SECONDS = 0.0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True  # tests read static files where they are, without collectstatic
LOGGING["root"]["level"] = env_str("LOG_LEVEL", "WARNING")
PUBLIC_CACHE_SECONDS = 0  # tests that want the cache turn it on
# Uploaded files (import originals) go to a scratch folder, never into the working tree.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="repertoire-test-media-"))
# The API's rate limit would stop the schemathesis run; the test of the limit sets its own.
REPERTOIRE_API_RATE = "100000/minute"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"hsds": REPERTOIRE_API_RATE}}
