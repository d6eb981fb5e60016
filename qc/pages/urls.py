"""URL patterns of the quality statistics pages, added to ``qc.urls``."""

from django.urls import path

from qc.pages import control, performance, stability, switching

urlpatterns = [
    path("switching/", switching.SwitchingList.as_view(), name="switching-list"),
    path("switching/<int:pk>/", switching.SwitchingDetail.as_view(), name="switching-detail"),
    path("switching/<int:pk>/decide-reduced/", switching.SwitchingDecide.as_view(), name="switching-decide"),
    path("switching/<int:pk>/corrective-action/", switching.SwitchingResume.as_view(), name="switching-resume"),
    path("switching/<int:pk>/reinstate-normal/", switching.SwitchingReinstate.as_view(),
         name="switching-reinstate"),
    path("control-materials/", control.ControlMaterialList.as_view(), name="controlmaterial-list"),
    path("control-materials/new/", control.ControlMaterialCreate.as_view(), name="controlmaterial-create"),
    path("control-materials/<int:pk>/", control.ControlMaterialDetail.as_view(), name="controlmaterial-detail"),
    path("control-materials/<int:pk>/target/", control.ControlMaterialTarget.as_view(),
         name="controlmaterial-target"),
    path("control-results/new/", control.ControlResultCreate.as_view(), name="controlresult-create"),
    path("control-runs/<int:pk>/", control.ControlRunDetail.as_view(), name="controlrun-detail"),
    path("control-runs/<int:pk>/use/", control.ControlRunUse.as_view(), name="controlrun-use"),
    path("westgard/<path:analyte>/", control.WestgardRules.as_view(), name="westgard-rules"),
    path("products/<int:pk>/p-chart/", control.ProductPChart.as_view(), name="product-pchart"),
    path("stability/", stability.StabilityList.as_view(), name="stability-list"),
    path("stability/new/", stability.StabilityCreate.as_view(), name="stability-create"),
    path("stability/<int:pk>/", stability.StabilityDetail.as_view(), name="stability-detail"),
    path("stability/<int:pk>/approve/", stability.StabilityApprove.as_view(), name="stability-approve"),
    path("stability/time-points/<int:pk>/results/", stability.StabilityResults.as_view(),
         name="stability-results"),
    path("stability/products/<int:pk>/", stability.StabilityProduct.as_view(), name="stability-product"),
    path("stability/products/<int:pk>/gate/", stability.StabilityGateSet.as_view(), name="stability-gate"),
    path("performance-studies/new/", performance.PerformanceStudyCreate.as_view(), name="performancestudy-create"),
    path("performance-studies/<int:pk>/", performance.PerformanceStudyDetail.as_view(),
         name="performancestudy-detail"),
    path("performance-studies/<int:pk>/edit/", performance.PerformanceStudyEdit.as_view(),
         name="performancestudy-edit"),
    path("performance-studies/<int:pk>/strata/new/", performance.StratumCreate.as_view(),
         name="performancestudy-stratum"),
]
