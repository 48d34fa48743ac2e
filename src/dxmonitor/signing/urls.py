from django.urls import path

from . import views

app_name = "signing"

urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("credentials/", views.upload_credential, name="upload_credential"),
    path("unit-keys/", views.add_unit_key, name="add_unit_key"),
    path("credentials/<int:credential_id>/stop/", views.stop_key, name="stop_key"),
    path("roots/", views.add_root, name="add_root"),
    path("roots/<int:root_id>/remove/", views.remove_root, name="remove_root"),
    path("verify/", views.verify, name="verify"),
]
