"""Local development (`make run`): debug on, a throwaway secret, mail to the console."""

from .base import *
from .env import env_bool, env_str

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-8c1f0b3e2a")
ALLOWED_HOSTS = ["*"]
