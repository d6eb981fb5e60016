"""The zh-Hans translation is complete: every catalogue has every msgstr, none fuzzy, the compiled .mo matches
the .po, and makemessages finds no string that the catalogue lacks."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from lims.registry import DOMAIN_APPS

ROOT = Path(settings.BASE_DIR)
MARKERS = ("gettext", "{% translate", "{% blocktranslate", "{% trans ")


def has_strings(app):
    skip = [folder(app) / n for n in nested(app)]
    files = [f for f in [*folder(app).rglob("*.py"), *folder(app).rglob("*.html")]
             if not any(s in f.parents for s in skip)]
    return any(marker in f.read_text(encoding="utf-8") for f in files for marker in MARKERS)



def folder(app) -> Path:
    return ROOT / app.replace(".", "/")


def nested(app) -> list[str]:
    """Apps that live inside ``app``'s folder keep catalogues of their own."""
    return [other.split(".")[-1] for other in DOMAIN_APPS if other.startswith(app + ".")]


def catalogue(app):
    return folder(app) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


APPS_WITH_STRINGS = [a for a in DOMAIN_APPS if folder(a).exists() and has_strings(a)]


@pytest.mark.parametrize("app", APPS_WITH_STRINGS)
def test_catalogue_is_complete_and_compiled(app):
    path = catalogue(app)
    assert path.exists(), f"{app} has no zh_Hans catalogue"
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == [], (untranslated, fuzzy)
    mo = polib.mofile(str(path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    source = {(e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
              for e in po.translated_entries()}
    assert compiled == source, f"{app}: the .mo is stale — run make messages"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools not installed")
@pytest.mark.parametrize("app", APPS_WITH_STRINGS)
def test_catalogue_has_every_string_of_the_code(app, tmp_path):
    copy = tmp_path / app
    shutil.copytree(folder(app), copy, ignore=shutil.ignore_patterns("__pycache__", *nested(app)))
    (copy / "locale").mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "zh_Hans", "--no-obsolete",
         "--settings=lims.settings_test", f"--pythonpath={ROOT}"],
        cwd=copy, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    fresh = polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    missing = sorted(e.msgid for e in fresh.untranslated_entries() if not e.obsolete)
    assert missing == [], f"{app}: strings without a translation (run make messages): {missing[:10]}"


def test_chinese_counts_are_grouped_as_the_browser_groups_them():
    """A task's count rendered by the server (intcomma) reads as the page's script writes it (Intl zh-CN)."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    with translation.override("zh-hans"):
        assert intcomma(40000) == "40,000"
        assert intcomma(1234567) == "1,234,567"
    with translation.override("en"):
        assert intcomma(40000) == "40,000"
