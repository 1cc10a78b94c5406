"""The Python select renderer draws exactly what Django's templates draw."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from aduan.core.renderers import FastSelectRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "Semua"), ("a", "Satu"), ("b", "Dua <&\"> '")])
    grouped = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("Jawa", [("31", "DKI Jakarta"), ("32", "Jawa Barat")]),
            ("Kalimantan", [("64", "Kalimantan Timur")]),
        ],
        required=False,
        widget=forms.Select(attrs={"class": "wide", "data-x": mark_safe("&amp;")}),
    )
    many = forms.MultipleChoiceField(choices=[(1, "x"), (2, "y"), (3, "z")], required=False)
    maybe = forms.NullBooleanField(required=False)
    disabled = forms.ChoiceField(choices=[("1", "Ya")], disabled=True)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "b", "grouped": "64", "many": ["1", "3"], "maybe": "true"},
        {"plain": "nope", "grouped": "<script>"},
    ],
)
def test_the_same_markup_as_django_templates(data):
    form = Sample(data=data or None)
    for name in form.fields:
        bound = form[name]
        expected = bound.as_widget()
        form.renderer = FastSelectRenderer()
        fast = form[name].as_widget()
        form.renderer = DjangoTemplates()
        assert fast == expected
        assert "<option" in fast


def test_the_site_uses_it(settings):
    assert settings.FORM_RENDERER == "aduan.core.renderers.FastSelectRenderer"
