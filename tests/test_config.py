"""Configuration comes from the environment; production refuses to start unsafely."""
from __future__ import annotations

import importlib

import pytest

import config
from marketplace import create_app


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY"):
        create_app("production")


def test_production_refuses_a_short_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "short")
    with pytest.raises(config.ConfigurationError):
        create_app("production")


def test_production_starts_with_a_long_secret_key(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "x" * 40)
    app = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert not app.debug


def test_unknown_environment_name_is_refused(monkeypatch):
    monkeypatch.setenv("LANDKORB_ENV", "staging")
    with pytest.raises(config.ConfigurationError, match="staging"):
        config.get_config()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.sqlite", "sqlite:////tmp/x.sqlite"),
    ],
)
def test_database_url_is_read_from_environment(monkeypatch, given, expected):
    monkeypatch.setenv("DATABASE_URL", given)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.SQLALCHEMY_DATABASE_URI == expected
    finally:
        monkeypatch.delenv("DATABASE_URL")
        importlib.reload(config)


def test_embedded_default_is_a_sqlite_file_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    reloaded = importlib.reload(config)
    assert reloaded.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert reloaded.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/landkorb.sqlite")


def test_redis_url_switches_rate_limit_storage(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/3"
    finally:
        monkeypatch.delenv("REDIS_URL")
        importlib.reload(config)


@pytest.mark.parametrize(("value", "enabled"), [(None, True), ("false", False), ("0", False), ("true", True)])
def test_ratelimit_enabled_from_the_environment(monkeypatch, value, enabled):
    # A load test sets RATELIMIT_ENABLED=false so that it does not meet the login limit.
    if value is None:
        monkeypatch.delenv("RATELIMIT_ENABLED", raising=False)
    else:
        monkeypatch.setenv("RATELIMIT_ENABLED", value)
    reloaded = importlib.reload(config)
    try:
        assert reloaded.ProductionConfig.RATE_LIMITS is enabled
        assert reloaded.TestingConfig.RATE_LIMITS is False
    finally:
        monkeypatch.delenv("RATELIMIT_ENABLED", raising=False)
        importlib.reload(config)


def test_redis_url_shares_the_page_cache_between_workers(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")
    reloaded = importlib.reload(config)
    try:
        assert reloaded.Config.CACHE_TYPE == "RedisCache"
        assert reloaded.Config.CACHE_REDIS_URL == "redis://127.0.0.1:6379/3"
    finally:
        monkeypatch.delenv("REDIS_URL")
        reloaded = importlib.reload(config)
    assert reloaded.Config.CACHE_TYPE == "SimpleCache"
