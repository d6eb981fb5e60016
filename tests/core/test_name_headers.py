"""In Chinese a thing's "Name" is 名称 and a person's is 姓名: the users list says 姓名, a master-data list 名称 (the
lims catalogue's 姓名 used to win over the apps' 名称 on every list)."""

from django.utils import translation

from tests.production.factories import make_material


def test_a_persons_name_and_a_things_name_read_differently_in_chinese(client_for, admin_user, production_user):
    make_material(admin_user, "test", name="Nitrocellulose membrane", name_zh="硝酸纤维素膜")
    with translation.override("zh-hans"):
        users = client_for(admin_user).get("/admin-users/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        materials = client_for(production_user).get("/production/materials/",
                                                    HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<html lang=\"zh-hans\"" in users and "姓名" in users
    assert "名称" in materials and "姓名" not in materials
