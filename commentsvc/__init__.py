"""commentsvc: self-hosted comments and moderation for publishers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from commentsvc import config as cfg


def load_settings(instance_path: Path, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """Defaults, instance file, environment, then ``overrides``; validated."""
    values = cfg.defaults(instance_path)
    values.update(cfg.from_instance_file(instance_path))
    values.update(cfg.from_environment(os.environ))
    values.update(overrides or {})
    if not values.get("SECRET_KEY"):
        values["SECRET_KEY"] = cfg.secret_key_from_instance(instance_path)
    cfg.validate(values)
    values["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(
        values["SQLALCHEMY_DATABASE_URI"]
    )
    return values


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: config, extensions, spam model, blueprints, errors, CLI."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(Path(app.instance_path), config))

    from commentsvc.setup import (
        init_extensions,
        init_operations,
        load_spam_model,
        register_blueprints,
        register_cli,
    )

    init_extensions(app)
    load_spam_model(app)
    init_operations(app)
    register_blueprints(app)
    register_cli(app)
    return app
