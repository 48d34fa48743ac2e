from django.urls import path

from . import views

app_name = "jobs"

urlpatterns: list = [
    path("", views.job_list, name="list"),
    path("<str:job_id>/", views.job_detail, name="detail"),
    path("<str:job_id>/retry/", views.job_retry, name="retry"),
]
