import re
import time
import uuid

from django.conf import settings
from django.utils import translation

from lims.logs import request_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Outermost: gives each request an id (``X-Request-ID``, kept from the proxy when well-formed), makes it
    and the user available to the log formatter, counts requests and latency for /metrics, and answers
    ``/healthz`` and ``/metrics`` before sessions or authentication touch the database (issue #15)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_var.set(request)
        started = time.perf_counter()
        try:
            if request.path_info == "/healthz" and request.method in ("GET", "HEAD"):
                from lims.health import healthz_response

                response = healthz_response()
            elif request.path_info == "/metrics":
                from lims.metrics import metrics_view

                response = metrics_view(request)
            else:
                response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            from lims.metrics import observe_request

            observe_request(request, response, time.perf_counter() - started)
            return response
        finally:
            request_var.reset(token)


def _authenticated(request) -> bool:
    # DRF stores the token user on the Django request too; a session user is resolved lazily. During an outage
    # resolving it may fail: the response (a 503) carries no-store anyway.
    try:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
    except Exception:
        return True


class NoStoreMiddleware:
    """``Cache-Control: no-store`` and ``Pragma: no-cache`` on every response to a signed-in user (session or
    token) and on every download: GMP records must not stay in a shared or browser cache (issue #15)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        attachment = "attachment" in response.get("Content-Disposition", "")
        if attachment or response.status_code >= 500 or _authenticated(request):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
            if "Expires" in response:
                del response["Expires"]
        return response


class UserLanguageMiddleware:
    """Signed-in users see the language they chose (stored on their preference), whatever the browser says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from lims.models import UserPreference

            language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


SESSION_TOUCHED = "_lims_touched"


def _clock() -> float:
    return time.time()


class SessionRefreshMiddleware:
    """The idle timeout (``SESSION_COOKIE_AGE``, a sliding window) without a database write on every request:
    a signed-in session's expiry moves forward when ``LIMS_SESSION_REFRESH_SECONDS`` (60) have passed since it
    last moved, not on every page (``SESSION_SAVE_EVERY_REQUEST`` wrote the session row on every request, issue
    #14). An idle session so ends between SESSION_IDLE_MINUTES − 1 minute and SESSION_IDLE_MINUTES after the
    person's last request, never later. Sits just inside SessionMiddleware, which saves a modified session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and not session.is_empty():
            now = int(_clock())
            if now - session.get(SESSION_TOUCHED, 0) >= settings.LIMS_SESSION_REFRESH_SECONDS:
                session[SESSION_TOUCHED] = now
        return response
