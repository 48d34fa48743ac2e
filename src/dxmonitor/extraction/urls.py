from django.urls import path

from . import views

app_name = "extraction"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("read/", views.read, name="read"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/accept/", views.accept_all, name="accept_all"),
    path("facts/<int:fact_id>/accept/", views.decide, {"decision": "accept"}, name="accept"),
    path("facts/<int:fact_id>/reject/", views.decide, {"decision": "reject"}, name="reject"),
    path("facts/<int:fact_id>/edit/", views.decide, {"decision": "edit"}, name="edit"),
]
