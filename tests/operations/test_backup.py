"""Issue #15, backup and restore drill: back up, restore into an empty database, and prove every record, history
row, signature and document hash is back (the two databases hold exactly the same rows)."""

import json
from pathlib import Path

import pytest
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from lims.backup import ExactJSONEncoder, backed_up_models
from lims.models import Signature
from regulatory.models import Document
from tests.monitoring.factories import make_assessment
from tests.regulatory.factories import make_document

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "restore"])


def rows(model, using):
    objs = model._base_manager.using(using).order_by("pk")
    return json.loads(serializers.serialize("json", objs, use_natural_foreign_keys=True, cls=ExactJSONEncoder))


def test_backup_restore_verify(tmp_path, settings, regulatory_user, qa_user, admin_user):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    doc = make_document(regulatory_user, content=b"%PDF-1.4 drill\n%%EOF\n", name="ifu.pdf")
    make_assessment(admin_user, "drill")  # a signed record with history
    assert Signature.objects.exists()
    # a time with less than a millisecond in it (Django's JSON encoder would write it as .000 and lose it)
    joined = admin_user.date_joined.replace(microsecond=412)
    type(admin_user).objects.filter(pk=admin_user.pk).update(date_joined=joined)

    call_command("backup", str(tmp_path / "backup"))
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert doc.file.name in manifest["media"]
    assert {m["model"] for m in manifest["models"]} >= {"lims.signature", "regulatory.historicaldocument",
                                                        "auth.user", "tasks.taskrun"}

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(tmp_path / "backup"), database="restore", media_root=str(restored_media))

    for model in backed_up_models():
        assert rows(model, "restore") == rows(model, "default"), model._meta.label
    assert Signature.objects.using("restore").count() == Signature.objects.count() > 0
    assert type(admin_user).objects.using("restore").get(pk=admin_user.pk).date_joined == joined
    restored = Document.objects.using("restore").get(pk=doc.pk)
    from lims.backup import sha256_of

    assert sha256_of(Path(restored_media) / restored.file.name) == doc.sha256

    # A second restore into the now full database is refused and changes nothing.
    before = Document.objects.using("restore").count()
    with pytest.raises(CommandError, match="restore refused"):
        call_command("restore", str(tmp_path / "backup"), database="restore", media_root=str(restored_media))
    assert Document.objects.using("restore").count() == before


def test_a_tampered_backup_is_refused(tmp_path, settings, regulatory_user):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    make_document(regulatory_user)
    call_command("backup", str(tmp_path / "backup"))
    users = tmp_path / "backup" / "db" / "auth.user.json"
    users.write_text(users.read_text().replace("regulatory", "intruder"))
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(tmp_path / "backup"), database="restore",
                     media_root=str(tmp_path / "restored"))
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.using("restore").exists()
