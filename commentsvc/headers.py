"""Security headers every response carries unless a view set stricter or specific ones."""

from __future__ import annotations

from flask import Flask, Response

# Nothing may frame a page unless its view says otherwise (the embed page names the site's
# origins; the admin never relaxes this).
DEFAULT_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def _add_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = DEFAULT_CSP
            headers.setdefault("X-Frame-Options", "DENY")
        return response
