import subprocess
import sys
from pathlib import Path

import pytest

from commentsvc import config, load_settings
from commentsvc.config import ConfigError


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    env = {"COMMENTSVC_RATELIMIT_ENABLED": "false", "COMMENTSVC_RETENTION_DAYS": "30"}
    values = config.from_environment(env)
    assert values == {"RATELIMIT_ENABLED": False, "RETENTION_DAYS": 30}


def test_instance_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "commentsvc.toml").write_text('RETENTION_DAYS = 90\nLOG_LEVEL = "DEBUG"\n')
    assert config.from_instance_file(tmp_path) == {"RETENTION_DAYS": 90, "LOG_LEVEL": "DEBUG"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"COMMENTSVC_DATABASE_URL": "mysql://x"}, "COMMENTSVC_DATABASE_URL"),
        ({"COMMENTSVC_RATELIMIT_ENABLED": "maybe"}, "COMMENTSVC_RATELIMIT_ENABLED"),
        ({"COMMENTSVC_RETENTION_DAYS": "a year"}, "COMMENTSVC_RETENTION_DAYS"),
        ({"COMMENTSVC_DATABSE_URL": "sqlite://"}, "unknown setting"),
        ({"COMMENTSVC_SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"COMMENTSVC_REDIS_URL": "localhost:6379"}, "COMMENTSVC_REDIS_URL"),
    ],
)
def test_bad_configuration_is_refused_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(tmp_path, None)


def test_bad_configuration_is_one_line_on_the_command_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COMMENTSVC_DATABASE_URL": "nope://"}
    result = subprocess.run(
        [sys.executable, "-m", "commentsvc", "db", "current"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "configuration error: COMMENTSVC_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = config.secret_key_from_instance(tmp_path)
    assert len(first) >= 32
    assert config.secret_key_from_instance(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_postgres_urls_use_psycopg_3() -> None:
    assert config.normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("sqlite:///x") == "sqlite:///x"
