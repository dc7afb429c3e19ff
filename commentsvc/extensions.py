"""Flask extensions, created unbound; ``create_app`` binds them."""

from flask import Flask, Response
from flask.globals import request_ctx
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints so that migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()


def session_was_used() -> bool:
    """Whether this request read or wrote the session (without marking it read by asking)."""
    # ``flask.session`` itself marks the session accessed, which adds ``Vary: Cookie``.
    opened = request_ctx._get_current_object()._session
    return opened is not None and opened.accessed


class SessionLoginManager(LoginManager):
    """Flask-Login, minus its habit of reading the session of every response.

    Its after-request hook and template context processor touch the session of every request,
    so Flask marked every response ``Vary: Cookie`` and loaded the moderator on reader pages,
    which are the same for everyone. A remember-me operation is only ever pending when the
    request used the session (``login_user`` / ``logout_user`` write it), and templates get
    ``current_user`` as a lazy proxy, loaded only when a template reads it.
    """

    def init_app(self, app: Flask, add_context_processor: bool = True) -> None:
        super().init_app(app, add_context_processor=False)
        if add_context_processor:
            app.context_processor(lambda: {"current_user": current_user})

    def _update_remember_cookie(self, response: Response) -> Response:
        if not session_was_used():
            return response
        return super()._update_remember_cookie(response)


login_manager = SessionLoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
cache = Cache()
babel = Babel()
