from rest_framework.routers import SimpleRouter

from incubator.api.views import ProjectViewSet

router = SimpleRouter(use_regex_path=False)  # path() routes: <int:pk> as everywhere else
router.register("projects", ProjectViewSet, basename="incubator-project")
urlpatterns = router.urls
