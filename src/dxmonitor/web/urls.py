from django.contrib.auth import views as auth_views
from django.urls import path

from dxmonitor.accounts import views as accounts
from dxmonitor.analytics import score_views
from dxmonitor.analytics import views as analytics
from dxmonitor.collection import views as audit
from dxmonitor.files import views as files
from dxmonitor.workflow import approval_views as approval
from dxmonitor.workflow import views as entry

from . import checks, dhis2, offline_views, views
from .login import LoginView

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", offline_views.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline_views.manifest, name="manifest"),
    path("search/", views.search, name="search"),
    path("units/", views.units_index, name="units"),
    path("units/export/", files.units_export, name="units_export"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("units/<int:unit_id>/villages/", views.unit_add_village, name="add_village"),
    path("indicators/", views.indicators_index, name="indicators"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("documents/", views.documents_index, name="documents"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("values/<int:value_id>/", views.value_detail, name="value"),
    path("checks/", checks.checks, name="checks"),
    path("checks/refresh/", checks.checks_refresh, name="checks_refresh"),
    path("checks/flags/<int:flag_id>/resolve/", checks.flag_resolve, name="flag_resolve"),
    path("rules/", checks.rules_index, name="rules"),
    path("collect/", entry.collect, name="collect"),
    path("collect/files/", files.files, name="files"),
    path("collect/files/template/", files.template, name="template"),
    path("collect/files/upload/", files.upload, name="upload_file"),
    path("collect/files/<uuid:job_id>/", files.upload_report, name="upload"),
    path("collect/files/<uuid:job_id>/apply/", files.upload_apply, name="upload_apply"),
    path("collect/<str:code>/<int:unit_id>/<str:period>/export/", files.report_export, name="report_export"),
    path("collect/<str:code>/<int:unit_id>/<str:period>/", entry.entry_form, name="entry_form"),
    path(
        "collect/<str:code>/<int:unit_id>/<str:period>/cell/<int:cell_unit_id>/<str:indicator>/",
        entry.entry_cell,
        name="entry_cell",
    ),
    path("collect/<str:code>/<int:unit_id>/<str:period>/submit/", entry.entry_submit, name="entry_submit"),
    path("collect/<str:code>/<int:unit_id>/<str:period>/reopen/", entry.entry_reopen, name="entry_reopen"),
    path(
        "collect/<str:code>/<int:unit_id>/<str:period>/approve/",
        approval.report_approve,
        name="report_approve",
    ),
    path(
        "collect/<str:code>/<int:unit_id>/<str:period>/return/", approval.report_return, name="report_return"
    ),
    path(
        "collect/<str:code>/<int:unit_id>/<str:period>/unlock/", approval.report_unlock, name="report_unlock"
    ),
    path("inbox/", approval.inbox_page, name="inbox"),
    path("inbox/approve/", approval.inbox_approve, name="inbox_approve"),
    path("audit/", audit.audit_trail, name="audit"),
    path("analytics/", analytics.figures_table, name="analytics"),
    path("analytics/ranking/", analytics.ranking, name="analytics_ranking"),
    path("analytics/reporting/", analytics.completeness, name="analytics_completeness"),
    path("analytics/scores/", score_views.ranking, name="analytics_scores"),
    path("analytics/scores/<str:scheme>/<int:unit_id>/", score_views.detail, name="analytics_score"),
    path("users/", accounts.users_index, name="users"),
    path("users/roles/", accounts.change_role, name="change_role"),
    path("dhis2/mappings/", dhis2.dhis2_mappings, name="dhis2_mappings"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
