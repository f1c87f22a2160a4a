"""Local development (`make run`): debug on, a throwaway secret, mail to the console."""

from .base import *
from .env import env_bool, env_float, env_int, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-8c1f0b3e2a")
ALLOWED_HOSTS = ["*"]

# `make run` must stay responsive with no network: one quick retry, then the offline fallback.
GEOCODER_MAX_RETRIES = env_int("GEOCODER_MAX_RETRIES", 1)
GEOCODER_BACKOFF_SECONDS = env_float("GEOCODER_BACKOFF_SECONDS", 0.5)
GEOCODER_TIMEOUT = env_float("GEOCODER_TIMEOUT", 5.0)
