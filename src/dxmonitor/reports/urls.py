from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.make, name="make"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/report.pdf", views.pdf, name="pdf"),
    path("<int:report_id>/report.docx", views.docx, name="docx"),
    path("<int:report_id>/signed.pdf", views.signed, name="signed"),
    path("<int:report_id>/sign/", views.sign, name="sign"),
]
