"""Browser-facing safety for modq's HTML pages: session cookie, CSRF, origin check, CSP.

The JSON APIs authenticate with a bearer token or are public, so CSRF is opt-in: only
the review page's POSTs are checked (``protect_post``), and any API a blueprint adds
under /api or /1.1 keeps working without a form token. A GET never changes anything.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

# No inline script or style anywhere: the page's JS and CSS are files under /static.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
))
# Navigations that may carry a state-changing POST: the page itself, or a typed URL.
ALLOWED_FETCH_SITES = {"same-origin", "none"}


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """A signed cookie that is ``Secure`` whenever the request came over HTTPS.

    A fixed ``SESSION_COOKIE_SECURE`` would either break plain-HTTP use on localhost or
    leave the cookie unprotected behind TLS; the request knows which case it is.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """A request without our cookie (every comment post, every API call) gets the
        empty session the base class would give it, without building its signing
        serializer first (a measurable share of a submission's time); with no Cookie
        header at all, without even parsing the cookies."""
        if app.secret_key and ("HTTP_COOKIE" not in request.environ
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        """Nothing to write or vary for a session that is empty and was never touched
        (every comment post): Flask would read six cookie settings first, then do nothing."""
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.config.update(
        WTF_CSRF_CHECK_DEFAULT=False,  # opt-in: see protect_post
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session, so a tab left open still works
        SESSION_COOKIE_NAME="modq_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        PERMANENT_SESSION_LIFETIME=timedelta(days=7),
    )
    app.session_interface = HttpsAwareSessionInterface()
    csrf.init_app(app)
    app.after_request(add_page_headers)


def add_page_headers(response: Response) -> Response:
    """Every HTML page, error pages included, gets the CSP and no-sniff headers."""
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def same_origin() -> bool:
    """Whether a POST comes from this site's own pages, as far as the browser tells.

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` on POSTs; a page on another origin
    (even another port of the same host, which SameSite cookies do not separate) is
    refused. Clients that send neither still need the CSRF token.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site not in ALLOWED_FETCH_SITES:
        return False
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc.lower() == request.host.lower()


def protect_post() -> None:
    """Refuse a cross-site POST with 403 and one without a valid CSRF token with 400."""
    if request.method != "POST":
        return
    if not same_origin():
        abort(403, "cross-site request refused")
    csrf.protect()
