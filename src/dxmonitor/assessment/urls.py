from django.urls import path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.open_round, name="open"),
    path("<int:round_id>/appraisers/", views.add_appraiser, name="appraisers"),
    path("<int:round_id>/", views.round_page, name="round"),
    path("<int:round_id>/<str:what>/", views.organise, name="organise"),
    path("<int:round_id>/units/<int:unit_id>/", views.sheet_page, name="sheet"),
    path("<int:round_id>/units/<int:unit_id>/<str:what>/", views.act, name="act"),
]
