from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lims import audit_views, scan_views, users_views, views
from lims.forms import LoginForm
from lims.registry import DOMAIN_APPS, app_modules, url_prefix

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("language/", views.set_language, name="set-language"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("audit/signatures/", audit_views.SignatureList.as_view(), name="signature-list"),
    path("audit/verify/", audit_views.audit_verify, name="audit-verify"),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", views.object_history, name="object-history"),
    path("scan/", scan_views.find_by_scan, name="find-by-scan"),
    path("admin-users/", users_views.UserList.as_view(), name="admin-user-list"),
    path("admin-users/new/", users_views.UserCreate.as_view(), name="admin-user-create"),
    path("admin-users/<int:pk>/", users_views.UserDetail.as_view(), name="admin-user-detail"),
    path("admin-users/<int:pk>/edit/", users_views.UserEdit.as_view(), name="admin-user-edit"),
    path("admin-users/<int:pk>/grant/", users_views.GrantRole.as_view(), name="admin-user-grant"),
    path("admin-users/<int:pk>/revoke/", users_views.RevokeRole.as_view(), name="admin-user-revoke"),
    path("admin-users/<int:pk>/deactivate/", users_views.Deactivate.as_view(), name="admin-user-deactivate"),
    path("admin-users/<int:pk>/reactivate/", users_views.Reactivate.as_view(), name="admin-user-reactivate"),
    path("tasks/", include("lims.tasks.urls")),
    path("inbox/", include("lims.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lims.api.urls")),
]

# Each app's pages under /<app>/ (``<app>/urls.py``); production also serves the GS1 resolver at the root.
for _name, _module in app_modules("urls", DOMAIN_APPS[1:]):
    urlpatterns.append(path(url_prefix(_name), include(_module)))
    urlpatterns.extend(getattr(_module, "root_urlpatterns", []))

handler403 = "lims.views.error_403"
handler404 = "lims.views.error_404"
handler500 = "lims.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
