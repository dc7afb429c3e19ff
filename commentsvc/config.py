"""Configuration: the only place that reads ``COMMENTSVC_*`` environment variables.

Sources, later wins: built-in defaults, ``instance/commentsvc.toml``, environment variables,
then the ``config`` mapping given to ``create_app`` (tests).
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ENV_PREFIX = "COMMENTSVC_"
INSTANCE_FILE = "commentsvc.toml"


class ConfigError(Exception):
    """Bad configuration; the message is one line meant for the operator."""


def _to_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _to_int(value: str) -> int:
    return int(value)


def _to_float(value: str) -> float:
    return float(value)


def _to_rate(value: str) -> str:
    """A Flask-Limiter rate such as "5/minute;30/hour"."""
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ValueError('expected rates such as "5/minute;30/hour"') from None
    return value


def _to_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


# Read by commands or tests, not by the app.
NOT_APP_SETTINGS = {"COMMENTSVC_DEMO_PASSWORD", "COMMENTSVC_CONFIG"}

# name (without prefix) -> (Flask config key, parser, default)
SETTINGS: dict[str, tuple[str, Callable[[str], Any], Any]] = {
    "DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str, None),
    "REDIS_URL": ("REDIS_URL", str, None),
    "SECRET_KEY": ("SECRET_KEY", str, None),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", _to_bool, True),
    "RATELIMIT_FAIL_OPEN": ("RATELIMIT_FAIL_OPEN", _to_bool, True),
    "MODEL_DIR": ("MODEL_DIR", str, None),
    "PUBLIC_URL": ("PUBLIC_URL", str, None),
    "SECURE_COOKIES": ("SECURE_COOKIES", _to_bool, None),
    "RETENTION_DAYS": ("RETENTION_DAYS", _to_int, 365),
    "MAX_CONTENT_LENGTH": ("MAX_CONTENT_LENGTH", _to_int, 256 * 1024),
    "LOG_LEVEL": ("LOG_LEVEL", str, "INFO"),
    "SMTP_HOST": ("SMTP_HOST", str, None),
    "SMTP_PORT": ("SMTP_PORT", _to_int, 25),
    "SMTP_USER": ("SMTP_USER", str, None),
    "SMTP_PASSWORD": ("SMTP_PASSWORD", str, None),
    "SMTP_FROM": ("SMTP_FROM", str, "commentsvc@localhost"),
    "SMTP_STARTTLS": ("SMTP_STARTTLS", _to_bool, False),
    "PROXY_HOPS": ("PROXY_HOPS", _to_int, 0),
    "CACHE_SECONDS": ("CACHE_SECONDS", _to_int, 300),
    "FRONT_CACHE_MB": ("FRONT_CACHE_MB", _to_int, 32),
    "LANGUAGES": ("LANGUAGES", _to_list, ["fr", "en"]),
    "COMMENT_RATE_LIMIT_PER_IP": ("COMMENT_RATE_LIMIT_PER_IP", _to_rate, "5/minute;30/hour"),
    "COMMENT_RATE_LIMIT_PER_THREAD": ("COMMENT_RATE_LIMIT_PER_THREAD", _to_rate, "30/minute"),
}


def defaults(instance_path: Path) -> dict[str, Any]:
    """Built-in configuration for the embedded default (SQLite under ``instance/``)."""
    values: dict[str, Any] = {
        flask_key: default for flask_key, _parser, default in SETTINGS.values()
    }
    values["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance_path / 'commentsvc.sqlite3'}"
    values["MODEL_DIR"] = str(Path(__file__).resolve().parent.parent / "ml_models")
    values["SQLALCHEMY_TRACK_MODIFICATIONS"] = False
    values["WTF_CSRF_TIME_LIMIT"] = None
    values["BABEL_DEFAULT_LOCALE"] = "fr"
    values["SESSION_COOKIE_HTTPONLY"] = True
    values["SESSION_COOKIE_SAMESITE"] = "Lax"
    values["REMEMBER_COOKIE_HTTPONLY"] = True
    values["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    values["JSON_SORT_KEYS"] = False
    return values


def from_instance_file(instance_path: Path) -> dict[str, Any]:
    """Settings from ``instance/commentsvc.toml``, keys named like the variables, no prefix."""
    path = instance_path / INSTANCE_FILE
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return _parse(raw, source=str(path), from_text=False)


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Settings from ``COMMENTSVC_*`` variables."""
    raw = {
        key[len(ENV_PREFIX) :]: value
        for key, value in environ.items()
        if key.startswith(ENV_PREFIX)
        and key not in NOT_APP_SETTINGS
        and not key.startswith(ENV_PREFIX + "TEST_")
    }
    return _parse(raw, source="environment", from_text=True)


def _parse(raw: Mapping[str, Any], *, source: str, from_text: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in raw.items():
        name = name.upper()
        if name not in SETTINGS:
            if from_text:
                raise ConfigError(f"{ENV_PREFIX}{name}: unknown setting (from {source})")
            raise ConfigError(f"{name}: unknown setting in {source}")
        flask_key, parser, _default = SETTINGS[name]
        try:
            values[flask_key] = parser(value) if isinstance(value, str) else value
        except ValueError as exc:
            raise ConfigError(f"{ENV_PREFIX}{name}={value!r}: {exc} (from {source})") from exc
    return values


def secret_key_from_instance(instance_path: Path) -> str:
    """A persistent random key for the embedded default, so `make run` needs no setup.

    Several app machines must share one key: production sets COMMENTSVC_SECRET_KEY.
    """
    path = instance_path / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def validate(values: Mapping[str, Any]) -> None:
    """Refuse settings that cannot work, with one line each."""
    url = values.get("SQLALCHEMY_DATABASE_URI") or ""
    if not url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:", "postgres:")):
        raise ConfigError(
            f"{ENV_PREFIX}DATABASE_URL={url!r}: expected a sqlite:/// or postgresql:// URL"
        )
    redis_url = values.get("REDIS_URL")
    if redis_url and not redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{ENV_PREFIX}REDIS_URL={redis_url!r}: expected a redis:// URL")
    if len(values.get("SECRET_KEY") or "") < 16:
        raise ConfigError(f"{ENV_PREFIX}SECRET_KEY: must be at least 16 characters")
    if values.get("PROXY_HOPS", 0) < 0:
        raise ConfigError(f"{ENV_PREFIX}PROXY_HOPS: must not be negative")
    if values.get("RETENTION_DAYS", 0) < 0:
        raise ConfigError(f"{ENV_PREFIX}RETENTION_DAYS: must not be negative")
    unknown = set(values.get("LANGUAGES") or []) - {"fr", "en"}
    if unknown:
        raise ConfigError(f"{ENV_PREFIX}LANGUAGES: unsupported {sorted(unknown)}; use fr, en")


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator chose."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
