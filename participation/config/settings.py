"""Settings for every runtime mode.

Defaults are the embedded mode (SQLite, in-memory channel layer, local-memory cache, console
e-mail), so nothing needs configuring to try it. Real services are switched on from the
environment: DATABASE_URL, REDIS_URL, EMAIL_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG, MEDIA_ROOT,
ML_EMBEDDING_BACKEND, ML_EMBEDDING_MODEL, ML_TORCH_THREADS.
"""

import json
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from participation.config.env import email_settings, env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "embedded-mode-only-not-secret-" + "x" * 40
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Absolute links (e-mails, open data): SITE_URL when set; otherwise the request's own address, and outside
# a request the address the demo server listens on (see participation/core/site.py).
SITE_URL = env_str("SITE_URL", "")
SERVING_URL = f"http://127.0.0.1:{env_int('PORT', 8000)}"
DEMO_MODE = env_bool("DEMO_MODE", default=DEBUG)
# With DEBUG=1 Django answers "not found" with its technical page (the URL patterns tried). Developers keep it
# (manage.py runserver); bin/serve, so the demo of `make run`, sets TECHNICAL_404=0 and residents see the site's
# own 404 page (participation/config/error_pages.py). Without DEBUG the real page is always shown.
TECHNICAL_404 = env_bool("TECHNICAL_404", default=DEBUG)

INSTALLED_APPS = [
    "daphne",
    # Project kernel first so its templates and commands win.
    "participation.apps.ParticipationConfig",
    "cms.apps.CmsConfig",
    "proposals.apps.ProposalsConfig",
    "reports_map.apps.ReportsMapConfig",
    "accountability.apps.AccountabilityConfig",
    "surveys.apps.SurveysConfig",
    "ml.apps.MlConfig",
    "outreach.apps.OutreachConfig",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.line",
    # Infrastructure
    "channels",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    # First: a shared anonymous page is answered whole, with the headers the rest of the stack gave it.
    "participation.core.pagecache.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "participation.config.overload.OverloadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "participation.accounts.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "participation.core.site.RequestOriginMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "participation.core.abuse.AdminLoginThrottleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "participation.accounts.middleware.BlockedUserMiddleware",
    "participation.accounts.middleware.StaffSessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "participation.accounts.middleware.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "participation.accounts.middleware.RateLimitedMiddleware",
    # Innermost, so the page it renders passes every other middleware (cookies, language, redirects) as in production.
    "participation.config.error_pages.NotFoundPageMiddleware",
]

ROOT_URLCONF = "participation.config.urls"
ASGI_APPLICATION = "participation.config.asgi.application"
WSGI_APPLICATION = "participation.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "participation.config.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
# Under ASGI every request runs its sync code in a thread of its own, and a persistent connection per
# thread let one process take all of PostgreSQL's connections under load (issue 17). So: no persistent
# connections, and a bounded pool per process (Django 5.2 + psycopg_pool). A request that gets no
# connection within DB_POOL_TIMEOUT seconds is answered 503 + Retry-After (participation.config.overload).
# Sizing (README): processes x DB_POOL_MAX_SIZE (+ task workers) <= max_connections - reserve.
DB_POOL_MIN_SIZE = env_int("DB_POOL_MIN_SIZE", 2)
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 10)
DB_POOL_TIMEOUT = env_float("DB_POOL_TIMEOUT", 5.0)
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql") and env_bool("DB_POOL", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": min(DB_POOL_MIN_SIZE, DB_POOL_MAX_SIZE),
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": DB_POOL_TIMEOUT,
            # Idle connections above min_size go back to PostgreSQL after a minute, not after psycopg's 10.
            "max_idle": 60,
        }
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 0)
    # Behind PgBouncer in transaction mode (README "Sizing").
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "var" / "db.sqlite3")),
            # A file, not memory, so a live ASGI server process in the browser tests shares it.
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(BASE_DIR / "var" / "test.sqlite3"))},
            # WAL + a busy timeout let the web process and the task worker share the file.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Under load (participation.config.overload) ------------------------------------------------
# Django runs each request's sync code in a thread of its own, and daphne/uvicorn start one per request
# in flight: without a bound, 200 concurrent readers meant 200 threads, each wanting a connection. At
# most ASGI_THREADS requests per process run Django at once (default: one per pooled connection); the
# others wait in the event loop, at most REQUEST_QUEUE_TIMEOUT seconds and REQUEST_QUEUE_MAX of them, and
# are then answered 503 with Retry-After: RETRY_AFTER_SECONDS.
ASGI_THREADS = env_int("ASGI_THREADS", DB_POOL_MAX_SIZE)
REQUEST_QUEUE_TIMEOUT = env_float("REQUEST_QUEUE_TIMEOUT", 10.0)
REQUEST_QUEUE_MAX = env_int("REQUEST_QUEUE_MAX", 1000)
RETRY_AFTER_SECONDS = env_int("RETRY_AFTER_SECONDS", 5)

# --- Cache and channel layer ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A cache that does not answer within a second is treated as down rather than holding the request.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Pub/sub layer: a broadcast to a consultation's group is one PUBLISH, delivered once to each process,
    # which fans it out to its own sockets; joining and leaving a group are process-local bookkeeping.
    # The list-based RedisChannelLayer did one Redis round trip per socket and per join/leave: with 500
    # sockets it hit redis-py's 100-connection pool ("MaxConnectionsError") and its 5 s socket timeout on
    # the 5 s BZPOPMIN ("Timeout reading"), closing sockets with 1011 (bench/load.py, issue 17).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_connect_timeout": 2, "health_check_interval": 30}]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "participation"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Cached reads keyed by version stamps (participation/core/freshness.py): a write bumps the stamps in the cache,
# so every process that may write (web workers, task workers) must share that cache. With the per-process
# local-memory cache (no REDIS_URL) they are off unless FRESHNESS_CACHE=1 says every write happens in this process.
FRESHNESS_CACHE = env_bool("FRESHNESS_CACHE", default=bool(REDIS_URL))
# Anonymous consultation pages are kept whole this many seconds at most (participation/core/pagecache.py),
# and served only while nothing they show has changed; 0 turns it off. Needs FRESHNESS_CACHE.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 30)
# Sessions are read from the cache and written through to the database: no session query on most requests.
SESSION_ENGINE = "participation.accounts.sessions"

# --- Tasks ----------------------------------------------------------------------------------
# The database backend is shared by every mode; `make run` starts a worker next to the server.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("TASKS_IMMEDIATE", default=False)
            else "django_tasks_db.backend.DatabaseBackend"
        ),
        # "suggestions": embeddings for duplicate checks while residents type (participation.analysis.suggestions),
        # served by their own worker so a long analysis never delays them.
        "QUEUES": ["default", "suggestions"],
    }
}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "participation.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_FORMS = {"signup": "participation.accounts.forms.SignupForm"}
ACCOUNT_ADAPTER = "participation.accounts.adapters.AccountAdapter"
ACCOUNT_USER_DISPLAY = "participation.accounts.adapters.user_display"
SOCIALACCOUNT_ADAPTER = "participation.accounts.adapters.SocialAccountAdapter"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Number of reverse proxies in front of the app whose X-Forwarded-For we trust (0: use REMOTE_ADDR).
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
TRUSTED_PROXY_COUNT = ALLAUTH_TRUSTED_PROXY_COUNT
SOCIALACCOUNT_PROVIDERS = {}
if env_str("LINE_CHANNEL_ID") and env_str("LINE_CHANNEL_SECRET"):
    SOCIALACCOUNT_PROVIDERS["line"] = {
        "APP": {"client_id": env_str("LINE_CHANNEL_ID"), "secret": env_str("LINE_CHANNEL_SECRET"), "key": ""},
        "SCOPE": ["profile", "openid", "email"],
    }
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"

# Staff sessions end after this many idle seconds.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)

# --- E-mail ---------------------------------------------------------------------------------
globals().update(email_settings(env_str("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@example.jp")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
# locale/wagtail: Japanese for Wagtail's own admin strings its ja catalogue lacks; kept apart from the project
# catalogue so `make messages` never marks them obsolete (the first path still wins for the same msgid).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "wagtail"]
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Leaflet comes from the xstatic-leaflet package (no CDN, nothing vendored by hand).
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/leaflet", str(Path(__import__("xstatic.pkg.leaflet", fromlist=["BASE_DIR"]).BASE_DIR)))]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# The embedded server hands out public media itself; behind a real proxy set SERVE_MEDIA=0.
SERVE_MEDIA = env_bool("SERVE_MEDIA", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder otherwise
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 45 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "みらい市 市民参加")
WAGTAILADMIN_BASE_URL = SITE_URL or SERVING_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAILADMIN_USER_LOGIN_FORM = "cms.admin.login.LoginForm"  # its password field labelled (cms/admin/login.py)
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Wagtail's live preview renders pages in a same-origin iframe, so framing is limited to our own
# origin (here and by CSP frame-ancestors) rather than denied outright; hence W019 is silenced.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if env_bool("BEHIND_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG

MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION", '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)
_tile_origin = "/".join(MAP_TILE_URL.split("/")[:3]).replace("{s}.", "*.") if "://" in MAP_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"] + ([_tile_origin] if _tile_origin else []),
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
# No third-party avatars in the admin (privacy, and CSP img-src stays 'self').
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Product settings -----------------------------------------------------------------------
CITY = {
    "name": env_str("CITY_NAME", "みらい市"),
    "name_en": env_str("CITY_NAME_EN", "Mirai City"),
    "center": [35.6812, 139.5600],
    "zoom": 14,
}
CITY_BOUNDARY_FILE = Path(env_str("CITY_BOUNDARY_FILE", str(BASE_DIR / "participation" / "data" / "city_boundary.geojson")))
PROPOSAL_EDIT_WINDOW_MINUTES = env_int("PROPOSAL_EDIT_WINDOW_MINUTES", 15)
FLAG_HIDE_THRESHOLD = env_int("FLAG_HIDE_THRESHOLD", 3)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 10 * 1024 * 1024)
PHOTO_MAX_PIXELS = env_int("PHOTO_MAX_PIXELS", 40_000_000)
OPEN_DATA_LICENSE = env_str("OPEN_DATA_LICENSE", "CC BY 4.0")
OPEN_DATA_LICENSE_URL = env_str("OPEN_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/")
# Rate limits: "count/seconds" per user and per IP, keyed by action name. The JSON in RATE_LIMITS
# overrides single actions and keeps the defaults of the others.
RATE_LIMITS = {
    "proposal": "10/3600",
    "comment": "60/3600",
    "support": "300/3600",
    "vote": "600/3600",
    "report": "20/3600",
    "flag": "60/3600",
    "survey_code": "10/600",  # wrong survey invitation codes per IP
    **json.loads(env_str("RATE_LIMITS", "{}")),
}
RATE_LIMITS_ENABLED = env_bool("RATE_LIMITS_ENABLED", default=True)
# Open311 POSTs are counted per API key, not per IP: OPEN311_RATE_LIMIT for every key, and
# OPEN311_KEY_RATE_LIMITS (JSON, {"<key prefix>": "count/seconds"}) for the keys that need more or less.
OPEN311_RATE_LIMIT = env_str("OPEN311_RATE_LIMIT", "1000/3600")
OPEN311_KEY_RATE_LIMITS = json.loads(env_str("OPEN311_KEY_RATE_LIMITS", "{}"))
# Public forms carry a honeypot field and must not be submitted faster than this (seconds).
FORM_MIN_FILL_SECONDS = env_int("FORM_MIN_FILL_SECONDS", 3)

# --- Machine learning (only tasks and commands import the heavy parts) -----------------------
ML_EMBEDDING_BACKEND = env_str("ML_EMBEDDING_BACKEND", "auto")
ML_EMBEDDING_MODEL = env_str("ML_EMBEDDING_MODEL", "")
ML_TORCH_THREADS = env_int("ML_TORCH_THREADS", 1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}, "wagtail": {"level": "WARNING"}},
}
