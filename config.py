"""Landkorb configuration, read from the environment (see README for the variables)."""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs name the old driver; Landkorb speaks psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'landkorb.sqlite'}")
    # A pooled PostgreSQL connection is pinged before each use, so a restarted server costs no
    # failed request (SQLite has no server connection to lose; the app factory drops the option).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Development and testing only: an ISO 8601 time with offset that the whole application
    # takes as "now" (core.clock); production refuses to start with it.
    LANDKORB_CLOCK = os.environ.get("LANDKORB_CLOCK") or None
    REDIS_URL = os.environ.get("REDIS_URL") or None
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # RATELIMIT_ENABLED=false in the environment switches the login, registration and token
    # limits off (load tests). Read per app at each request (extensions._rate_limits_off), so two
    # apps in one process keep their own setting; Flask-Limiter itself stays on.
    RATE_LIMITS = _env_flag("RATELIMIT_ENABLED", default=True)
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # Photo and spreadsheet uploads may be larger (10 MB and a margin for the form around it);
    # the routes that take them raise the limit for their request only.
    UPLOAD_MAX_CONTENT_LENGTH = 10 * 1024 * 1024 + 256 * 1024
    # Product photos, stored under random names outside the code tree, served with long caching.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or str(INSTANCE_DIR / "uploads")
    TIMEZONE = "Europe/Berlin"
    CATALOG_PAGE_SIZE = int(os.environ.get("CATALOG_PAGE_SIZE", "24"))
    # Catalogue pages and product API answers for anonymous visitors are cached, keyed by the
    # catalogue's version (catalog/versions.py), so never stale; an unchanged page is kept this
    # many seconds (0: no cache). Shared by all workers in Redis with REDIS_URL, else per process.
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", "60"))
    CACHE_TYPE = "RedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_KEY_PREFIX = "landkorb:page:"
    CACHE_THRESHOLD = 1000  # entries per process without Redis
    API_TOKEN_MAX_AGE_S = int(os.environ.get("API_TOKEN_MAX_AGE_S", str(30 * 24 * 3600)))
    # Online payment (payments/): without a secret key Stripe is not offered. STRIPE_API_BASE
    # points the client at a local test server ("http://127.0.0.1:8420", no /v1).
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY") or None
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY") or None
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET") or None
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE") or None
    # Seconds the Stripe client waits for one answer (it tries a request up to 3 times).
    STRIPE_TIMEOUT_S = float(os.environ.get("STRIPE_TIMEOUT_S", "10"))
    # The platform's fee per producer share: one value ("10") or per region slug ("8,altmark=10");
    # without PLATFORM_FEE_PERCENT the region's own platform_fee_permille applies.
    PLATFORM_FEE_PERCENT = os.environ.get("PLATFORM_FEE_PERCENT") or None
    PLATFORM_FEE_CENTS = os.environ.get("PLATFORM_FEE_CENTS") or None
    # How long a placed order waits for its online payment, holding stock and compartment.
    PAYMENT_WINDOW_MINUTES = int(os.environ.get("PAYMENT_WINDOW_MINUTES", "30"))
    OSRM_URL = os.environ.get("OSRM_URL") or None
    # The platform as the seller of deliveries and fees on its own invoices (payments/invoices.py).
    PLATFORM_NAME = os.environ.get("PLATFORM_NAME") or "Landkorb"
    PLATFORM_ADDRESS = os.environ.get("PLATFORM_ADDRESS", "").replace("\\n", "\n")
    NOMINATIM_USER_AGENT = os.environ.get("NOMINATIM_USER_AGENT") or None
    # Optional slippy-map tiles behind the tour maps, e.g. https://tiles.example.org/{z}/{x}/{y}.png
    MAP_TILE_URL = os.environ.get("MAP_TILE_URL") or None
    MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "")
    # Tour planning: solver processes (None = all cores), the longest plan a coordinator may ask
    # for, CO₂ per km of the delivery van, and the towns residents would otherwise drive to.
    DELIVERY_SOLVER_WORKERS = (
        int(os.environ["DELIVERY_SOLVER_WORKERS"]) if os.environ.get("DELIVERY_SOLVER_WORKERS") else None
    )
    DELIVERY_MAX_PLAN_SECONDS = float(os.environ.get("DELIVERY_MAX_PLAN_SECONDS", "60"))
    DELIVERY_CO2_G_PER_KM = float(os.environ.get("DELIVERY_CO2_G_PER_KM", "170"))
    # Parcel stations: a compartment goes out of service above these temperatures (°C) or when
    # its door stays open longer than this (seconds).
    PICKUP_CHILLED_MAX_C = float(os.environ.get("PICKUP_CHILLED_MAX_C", "7"))
    PICKUP_FROZEN_MAX_C = float(os.environ.get("PICKUP_FROZEN_MAX_C", "-15"))
    PICKUP_DOOR_OPEN_MAX_S = int(os.environ.get("PICKUP_DOOR_OPEN_MAX_S", "300"))
    # How long goods wait at a pickup place before they expire (hours, by the order's coldest
    # class), and how many hours before that the resident is reminded.
    PICKUP_HOLD_AMBIENT_H = int(os.environ.get("PICKUP_HOLD_AMBIENT_H", "72"))
    PICKUP_HOLD_CHILLED_H = int(os.environ.get("PICKUP_HOLD_CHILLED_H", "24"))
    PICKUP_HOLD_FROZEN_H = int(os.environ.get("PICKUP_HOLD_FROZEN_H", "24"))
    PICKUP_REMINDER_H = int(os.environ.get("PICKUP_REMINDER_H", "6"))
    # Goods delivered to a sales point whose staff have not confirmed receipt: the staff are
    # reminded after this many hours, the sub-region's coordinators told after the second.
    PICKUP_RECEIPT_REMINDER_H = int(os.environ.get("PICKUP_RECEIPT_REMINDER_H", "2"))
    PICKUP_RECEIPT_ESCALATION_H = int(os.environ.get("PICKUP_RECEIPT_ESCALATION_H", "8"))
    DELIVERY_SUPERMARKET_TOWNS = [
        t.strip() for t in os.environ.get("DELIVERY_SUPERMARKET_TOWNS", "").split(",") if t.strip()
    ] or None
    # Notifications (marketplace/notifications): e-mail through Flask-Mailman's SMTP backend
    # when MAIL_SERVER is set (off otherwise, with a warning); SMS through SMS_GATEWAY=dev|http.
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _env_flag("MAIL_USE_TLS")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Landkorb <noreply@landkorb.example>")
    MAIL_DEFAULT_SENDER = MAIL_FROM
    MAIL_TIMEOUT = 30
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY") or None
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL") or None
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN") or None
    # The dev gateway appends each SMS it accepts to this file (JSON lines), when set.
    SMS_DEV_FILE = os.environ.get("SMS_DEV_FILE") or None
    # /dev/outbox and /dev/outbox.json: development (and tests) only.
    DEV_OUTBOX = False
    # A sender's claim on a notification it has not finished after this long is taken over.
    NOTIFICATION_CLAIM_TIMEOUT_S = int(os.environ.get("NOTIFICATION_CLAIM_TIMEOUT_S", "300"))
    # Standing orders are placed this long before the cut-off (the resident can still cancel).
    STANDING_ORDER_LEAD_MINUTES = int(os.environ.get("STANDING_ORDER_LEAD_MINUTES", "120"))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = True
    SECRET_KEY = Config.SECRET_KEY or "landkorb-development-only-key"
    MAIL_BACKEND = "smtp" if Config.MAIL_SERVER else "console"
    SMS_GATEWAY = Config.SMS_GATEWAY or "dev"
    DEV_OUTBOX = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "landkorb-testing-key"
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    WTF_CSRF_ENABLED = True
    RATE_LIMITS = False
    RATELIMIT_STORAGE_URI = "memory://"
    # tests/web/test_page_cache.py turns the cache on (and tries Redis).
    PAGE_CACHE_SECONDS = 0
    CACHE_TYPE = "SimpleCache"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    # One solver process and short plans keep the suite fast on two cores.
    DELIVERY_SOLVER_WORKERS = 1
    DELIVERY_MAX_PLAN_SECONDS = 0.3
    MAIL_BACKEND = "locmem"
    SMS_GATEWAY = "dev"
    SMS_DEV_FILE = None
    DEV_OUTBOX = True


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


class ConfigurationError(RuntimeError):
    """The environment does not describe a configuration Landkorb can run with."""


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("LANDKORB_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigurationError(
            f"LANDKORB_ENV={name!r} is unknown; use one of {', '.join(CONFIGS)}"
        ) from None


def check_config(config: dict) -> None:
    """Refuse settings that would be unsafe or make no sense; called by the app factory.

    `LANDKORB_CLOCK` given as text is parsed here into an aware datetime."""
    production = config.get("ENV_NAME") == "production"
    if production:
        key = config.get("SECRET_KEY")
        if not key or len(key) < 16:
            raise ConfigurationError(
                "Production needs SECRET_KEY set to a long random value (at least 16 characters)."
            )
    clock = config.get("LANDKORB_CLOCK")
    if clock is not None and production:
        raise ConfigurationError("LANDKORB_CLOCK pins the time for development and testing only; "
                                 "unset it in production.")
    if isinstance(clock, str):
        from marketplace.core.clock import parse_instant

        try:
            config["LANDKORB_CLOCK"] = parse_instant(clock)
        except ValueError:
            raise ConfigurationError(
                f"LANDKORB_CLOCK={clock!r} is not an ISO 8601 time with an offset, "
                "e.g. 2026-03-02T09:00:00+01:00"
            ) from None
