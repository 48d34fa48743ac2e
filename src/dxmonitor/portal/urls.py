from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("units/", views.units_index, name="units"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("indicators/<str:code>/", views.indicator_detail, name="indicator"),
]
