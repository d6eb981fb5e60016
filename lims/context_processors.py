"""Navigation by role: each app declares its menu in ``<app>/navigation.py`` (``MENU``), filtered here by the
permissions the signed-in user holds. An entry's permission may be ``ANY_ROLE``: shown to whoever holds a role
(a signed-in account without one sees no such entry, as its page refuses them)."""

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from lims.registry import app_modules
from lims.roles import role_names

ANY_ROLE = "lims.any_role"


def _menus():
    for _label, module in app_modules("navigation"):
        yield from getattr(module, "MENU", [])


_URLS: dict[tuple, str | None] = {}


def _url(url_name: str) -> str | None:
    """The menu entry's address: menu URLs take no arguments, so each is reversed once per script prefix (the
    menu is on every page; reversing its ~60 names was a tenth of a small page's time)."""
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if key not in _URLS:
        try:
            _URLS[key] = reverse(url_name)
        except NoReverseMatch:
            _URLS[key] = None
    return _URLS[key]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_menu": [], "user_roles": []}
    roles = role_names(user)
    menu = []
    for title, items in _menus():
        entries = []
        for label, url_name, perm in items:
            if perm == ANY_ROLE:
                if not roles:
                    continue
            elif perm and not user.has_perm(perm):
                continue
            url = _url(url_name)
            if url is not None:
                entries.append({"label": label, "url": url})
        if entries:
            menu.append({"title": title, "items": entries})
    return {"nav_menu": menu, "user_roles": roles}
