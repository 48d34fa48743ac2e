from django.urls import include, path

from dxmonitor.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("extract/", include("dxmonitor.extraction.urls")),
    path("dashboard/", include("dxmonitor.dashboard.urls")),
    path("public/", include("dxmonitor.portal.urls")),
    path("signing/", include("dxmonitor.signing.urls")),
    path("reports/", include("dxmonitor.reports.urls")),
    path("jobs/", include("dxmonitor.jobs.urls")),
    path("assessment/", include("dxmonitor.assessment.urls")),
    path("", include("dxmonitor.web.urls")),
]
