"""Public URLs of the review app, inside ``i18n_patterns`` (``/fr/suggestions/...``,
``/en/suggestions/...``); see cms/urls.py."""

from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("<slug:slug>/", views.suggestion_create_view, name="suggestion_create"),
    path("<slug:slug>/sent/", views.suggestion_sent_view, name="suggestion_sent"),
]
