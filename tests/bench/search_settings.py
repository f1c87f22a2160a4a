# ruff: noqa: F403, F405 (every setting of the development settings, some changed)
"""Settings for ``bench_search.py``'s gunicorn: the development settings, served as in production.

Debug off (no query log, no debug pages), any host, a fixed secret, the offline geocoder (no
request leaves the machine), quiet logs that still show a server error with its traceback, and
a bare view at ``/bench/bare/`` (``search_urls.py``) to compare the search page against.
``DATABASE_URL`` and ``PUBLIC_CACHE_SECONDS`` come from the environment, as in production.
"""

import warnings

from cms.settings.dev import *

DEBUG = False
ALLOWED_HOSTS = ["*"]
SECRET_KEY = "bench-only-not-secret-5d2f9a71c4"
GEOCODER = "offline"
ROOT_URLCONF = "tests.bench.search_urls"
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "ERROR"}}
# WhiteNoise's warning that STATIC_ROOT is missing (collectstatic not run): not what is measured.
warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)
