from rest_framework.authentication import SessionAuthentication


class SessionAuthentication401(SessionAuthentication):
    """Browser sessions (with CSRF). Anonymous requests still get 401 because the token scheme is listed first
    and names the ``WWW-Authenticate`` challenge."""
