"""Settings shared by every environment. Safe by default: no debug, no secret, nothing open.

Everything an operator may change is read from the environment (see README.md, "Configuration").
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from .env import (
    email_settings,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
    tasks_backend,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "csp",  # django-csp: its checks; the header comes from cms.middleware
    "organisations",
    "imports",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",  # queries counted per day: cms/search_demand.py
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "reversion",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",  # sign-in throttling: its attempts and failure log (cms/login_throttling.py)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Last, so that their post_migrate steps (the page trees; groups, permissions, workflow) find
    # every other app's content types and permissions already created.
    "cms",
    "review",
    "portraits",  # requests and portraits of needs; its post_migrate makes the Agents group
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy on every answer, cached public pages included (outside
    # PublicCacheMiddleware, so a page served from the cache passes through it too).
    "cms.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cms.middleware.LocaleMiddleware",  # Django's, but an API 404 stays a 404
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous visitors' public pages straight from the response cache, before any routing.
    "cms.cache.PublicCacheMiddleware",
    # Every write made while serving a request (the admin above all) is one audit entry in
    # django-reversion, with the user; see organisations/audit.py.
    "organisations.audit.AuditMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (HTTP 429).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------------
# SQLite in the project folder unless DATABASE_URL says otherwise (postgres://user@host:5432/name).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the site read while the worker writes; IMMEDIATE avoids "database is locked"
    # when two writers upgrade a read transaction at once. Connections are kept like
    # PostgreSQL's (DATABASE_CONN_MAX_AGE): a new one per request costs the search page its
    # page cache, measured at a third of its throughput (tests/bench/bench_search.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # A 64 MB page cache per connection and reads through a memory map: the search
            # index of a large directory stays in memory between requests.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA cache_size=-65536; PRAGMA mmap_size=1073741824;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------------
_cache_url = env_str("CACHE_URL")
if _cache_url.startswith("redis://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background work (django-tasks) ---------------------------------------------------------------
# "immediate" runs tasks in the request (tests, `make run`); "database" queues them for
# `manage.py db_worker` (production).
# Geocoding has a queue of its own so that one worker (`db_worker --queue-name geocoding`) holds
# the provider's minimum delay: geopy's RateLimiter throttles within one process only.
TASKS = {
    "default": {
        "BACKEND": tasks_backend(env_str("TASKS_BACKEND", "immediate")),
        "QUEUES": ["default", "geocoding"],
    }
}

# --- Email ------------------------------------------------------------------------------------------
globals().update(email_settings(env_str("EMAIL_URL", "console:")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Répertoire 211 <repertoire@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Passwords and sessions ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"

# --- Sign-in throttling (django-axes; cms/login_throttling.py) --------------------------------------
# Two limits, both per client address, over a window of LOGIN_LOCKOUT_MINUTES: failures for one
# account from one address (a guesser at one account), and failures for any accounts from one
# address (a spray across accounts). Never per account alone: a guesser elsewhere must not be able
# to lock a curator out of her own office. The parameters are read in this order by the handler.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: a locked-out sign-in never reaches the password
    "django.contrib.auth.backends.ModelBackend",
]
REPERTOIRE_LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
REPERTOIRE_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
REPERTOIRE_LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = REPERTOIRE_LOGIN_FAILURE_LIMIT
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=REPERTOIRE_LOGIN_LOCKOUT_MINUTES)
AXES_HANDLER = "cms.login_throttling.LoginThrottleHandler"
AXES_CLIENT_IP_CALLABLE = "cms.login_throttling.client_address"  # as the API reads it
AXES_LOCKOUT_CALLABLE = "cms.login_throttling.lockout_response"
# The pause ends when it said it would: tries made during it are refused without counting.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A curator who mistyped twice and then got it right starts again from zero.
AXES_RESET_ON_SUCCESS = True
# Every failure stays in the trail (AccessFailureLog), not only the current count.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ENABLE_ADMIN = False  # Django's admin is not mounted: the admin's own screen lists lockouts
# Password-reset requests per address and per email address, over PASSWORD_RESET_WINDOW_MINUTES.
REPERTOIRE_PASSWORD_RESET_LIMIT = env_int("PASSWORD_RESET_LIMIT", 5)
REPERTOIRE_PASSWORD_RESET_WINDOW_MINUTES = env_int("PASSWORD_RESET_WINDOW_MINUTES", 60)

# --- Languages: French first and the fallback, English complete -----------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "America/Toronto"
USE_I18N = True
USE_TZ = True

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "Répertoire 211")
WAGTAILADMIN_BASE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Search ---------------------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Editorial workflow -----------------------------------------------------------------------------
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True
WAGTAILADMIN_COMMENTS_ENABLED = True
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx", "ods", "zip"]

# The audit log keeps timestamps to the microsecond (organisations/serialization.py).
SERIALIZATION_MODULES = {"json_exact": "organisations.serialization"}

# --- Répertoire -----------------------------------------------------------------------------------
# An annual update starts about 10-11 months after the last one (AIRS / Inform standard).
REPERTOIRE_REVIEW_INTERVAL_DAYS = env_int("REVIEW_INTERVAL_DAYS", 365)
REPERTOIRE_CONTACT_EMAIL = env_str("CONTACT_EMAIL", "info@211.example")
# An update request's link works this many days; reminders go out after these many days unanswered.
REPERTOIRE_UPDATE_REQUEST_DAYS = env_int("UPDATE_REQUEST_DAYS", 30)
REPERTOIRE_REMINDER_DAYS = (env_int("FIRST_REMINDER_DAYS", 14), env_int("SECOND_REMINDER_DAYS", 28))
# A failed email is tried again by review_tick, up to this many times in all.
REPERTOIRE_SEND_ATTEMPTS = env_int("UPDATE_REQUEST_SEND_ATTEMPTS", 5)
# Posts through one update request's links in an hour (its answers, "still correct", a form
# with mistakes), from any address: past it, a page that says so (429), nothing kept.
REPERTOIRE_UPDATE_LINK_POSTS_PER_HOUR = env_int("UPDATE_LINK_POSTS_PER_HOUR", 20)

# Partner spreadsheets (imports/): limits a file must stay within, checked before and while it
# is read (a zip bomb stops at the unpacked-size limit, a sheet formatted down to its last row
# stops after a run of empty rows).
REPERTOIRE_IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 20_000_000)
REPERTOIRE_IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 300_000_000)
REPERTOIRE_IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 100_000)
REPERTOIRE_IMPORT_MAX_CELL_CHARS = env_int("IMPORT_MAX_CELL_CHARS", 20_000)
REPERTOIRE_IMPORT_BLANK_ROWS_STOP = env_int("IMPORT_BLANK_ROWS_STOP", 1_000)
REPERTOIRE_IMPORT_MAX_COLUMNS = env_int("IMPORT_MAX_COLUMNS", 500)
REPERTOIRE_IMPORT_MAX_READ_SECONDS = env_int("IMPORT_MAX_READ_SECONDS", 300)

# --- Open data: the HSDS 3.0 API and data package (organisations/hsds/) ------------------------------
# Requests per client address (rest_framework's "N/second|minute|hour|day"); behind a proxy set
# API_NUM_PROXIES so the client's own address is read from X-Forwarded-For.
REPERTOIRE_API_RATE = env_str("API_RATE", "120/minute")
REPERTOIRE_API_MAX_PER_PAGE = env_int("API_MAX_PER_PAGE", 200)
REPERTOIRE_API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 300)
REPERTOIRE_OPEN_DATA_LICENSE = env_str("OPEN_DATA_LICENSE", "CC-BY-4.0")
REPERTOIRE_OPEN_DATA_LICENSE_URL = env_str(
    "OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
)
REST_FRAMEWORK = {
    "DEFAULT_THROTTLE_RATES": {"hsds": REPERTOIRE_API_RATE},
    "NUM_PROXIES": env_int("API_NUM_PROXIES", 0),
    "UNAUTHENTICATED_USER": None,
}

# --- Website checks (organisations/quality/links.py) ---------------------------------------------
# `manage.py check_links` (daily, from cron) asks each website with HEAD, or GET when HEAD is
# refused, following up to 5 redirects. A site that takes longer than these timeouts is as good as
# down for someone calling from a phone.
REPERTOIRE_LINK_CHECK_CONNECT_TIMEOUT = env_float("LINK_CHECK_CONNECT_TIMEOUT", 5.0)
REPERTOIRE_LINK_CHECK_READ_TIMEOUT = env_float("LINK_CHECK_READ_TIMEOUT", 5.0)
# Many records share a host (a municipality's site, Facebook pages): at most one request to the
# same host every this many seconds; different hosts do not wait for each other.
REPERTOIRE_LINK_CHECK_HOST_DELAY_SECONDS = env_float("LINK_CHECK_HOST_DELAY_SECONDS", 1.0)
# Websites per run, and how old a check gets before the website is asked again.
REPERTOIRE_LINK_CHECK_BATCH = env_int("LINK_CHECK_BATCH", 500)
REPERTOIRE_LINK_CHECK_MAX_AGE_DAYS = env_int("LINK_CHECK_MAX_AGE_DAYS", 14)
REPERTOIRE_LINK_CHECK_USER_AGENT = env_str(
    "LINK_CHECK_USER_AGENT",
    f"Mozilla/5.0 (compatible; Repertoire-211-LinkChecker/0.1; +mailto:{REPERTOIRE_CONTACT_EMAIL})",
)
# Off: an address (or a redirect) to loopback, a private or a link-local network is not asked, so
# that a website field cannot make the server probe its own network. The tests turn it on.
REPERTOIRE_LINK_CHECK_PRIVATE_ADDRESSES = env_bool("LINK_CHECK_PRIVATE_ADDRESSES", False)

# --- Geocoding (organisations/geocoding.py) ----------------------------------------------------------
# Any geopy geocoder name ("nominatim", "photon", "pelias", "arcgis", "googlev3"...) or "offline"
# (no requests: every address goes to its borough's or municipality's centre).
GEOCODER = env_str("GEOCODER", "nominatim").strip().lower()
GEOCODER_DOMAIN = env_str("GEOCODER_DOMAIN")  # empty: the provider's public service
GEOCODER_SCHEME = env_str("GEOCODER_SCHEME", "https")
GEOCODER_API_KEY = env_str("GEOCODER_API_KEY")
# Nominatim's policy asks for a User-Agent that identifies the application and a way to reach us.
GEOCODER_USER_AGENT = env_str(
    "GEOCODER_USER_AGENT", f"Repertoire-211/0.1 (+{REPERTOIRE_CONTACT_EMAIL})"
)
GEOCODER_MIN_DELAY_SECONDS = env_float("GEOCODER_MIN_DELAY_SECONDS", 1.0)
GEOCODER_TIMEOUT = env_float("GEOCODER_TIMEOUT", 10.0)  # geopy's own default of 1 s is too short
# Timeouts, 429 and 5xx are retried after 2, 4, 8... seconds (or the server's Retry-After); when
# every try failed, requests pause for GEOCODER_PAUSE_SECONDS and addresses go to the fallback.
GEOCODER_MAX_RETRIES = env_int("GEOCODER_MAX_RETRIES", 3)
GEOCODER_BACKOFF_SECONDS = env_float("GEOCODER_BACKOFF_SECONDS", 2.0)
GEOCODER_PAUSE_SECONDS = env_float("GEOCODER_PAUSE_SECONDS", 60.0)
GEOCODER_CACHE_DAYS = env_int("GEOCODER_CACHE_DAYS", 365)

# --- Public pages -----------------------------------------------------------------------------------
# Seconds an anonymous visitor's search or organisation page is served from the cache (0: never);
# any publication makes every cached page stale at once (cms/cache.py).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)
# How long the portraits' figures of closed months are kept (portraits/published.py; 0: never).
PORTRAITS_CACHE_SECONDS = env_int("PORTRAITS_CACHE_SECONDS", 3600)

# --- Maps -------------------------------------------------------------------------------------------
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)


# --- Content-Security-Policy (django-csp; cms/middleware.py) ------------------------------------------
# Our pages run only our own files: no inline script, style or on… handler, so the public pages
# (and the cached ones: no nonce to freeze into them) need nothing but 'self'. Wagtail's admin
# still writes some inline scripts and styles (date pickers, inline panels): the admin alone adds
# 'unsafe-inline' (ContentSecurityPolicyMiddleware). Map tiles come from MAP_TILE_URL's host; a
# {s} sub-domain in it allows every sub-domain of that host.
def _tile_source(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}.", "SUBDOMAIN."))
    host = parts.hostname or ""
    if not host:
        return ""
    if host.startswith("subdomain."):
        host = "*." + host.removeprefix("subdomain.")
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else host + port


MAP_TILE_SOURCE = _tile_source(MAP_TILE_URL)
# Where browsers send their reports of what the policy blocked (env CSP_REPORT_URI; empty: nowhere).
_csp_report_uri = env_str("CSP_REPORT_URI")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *([MAP_TILE_SOURCE] if MAP_TILE_SOURCE else [])],
        "object-src": ["'none'"],
        "frame-ancestors": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        **({"report-uri": _csp_report_uri} if _csp_report_uri else {}),
    },
}
# What the admin adds to that: Wagtail 8's admin is not yet free of inline code; its avatars come
# from Gravatar (//www.gravatar.com: the page's own scheme) and it asks releases.wagtail.org
# whether a newer Wagtail is out (administrators only).
CONTENT_SECURITY_POLICY_ADMIN = {
    "script-src": ["'unsafe-inline'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["www.gravatar.com"],
    "connect-src": ["'self'", "https://releases.wagtail.org"],
}

# An update link's token is masked wherever a path is written (cms/logging.py): on the loggers
# that write paths, whatever handler they reach (mail to ADMINS too), and on the console for the rest.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_update_tokens": {"()": "cms.logging.MaskUpdateTokens"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # Django's own, for runserver's access lines.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_update_tokens"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_update_tokens"],
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"filters": ["mask_update_tokens"]},
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["mask_update_tokens"],
        },
        "django.db.backends": {"level": "WARNING"},
        # One line per task run is noise at INFO; failures still show.
        "django_tasks": {"level": env_str("TASKS_LOG_LEVEL", "WARNING")},
    },
}
