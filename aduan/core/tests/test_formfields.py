"""Fields drawn in Python (core.formfields) are exactly what forms/_field.html and
forms/_form_errors.html draw, for every kind of field, bound or not, with errors and help
texts, in both languages, and escape what they are given."""

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.renderers import DjangoTemplates
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import mark_safe

from aduan.core.formfields import render_field, render_form_errors
from aduan.core.renderers import FastSelectRenderer


class Sample(forms.Form):
    text = forms.CharField(label="Judul <b>", max_length=20, help_text='Mis. "jalan" & <i>')
    optional = forms.CharField(label="Catatan", required=False, widget=forms.Textarea)
    search = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "search"}))
    email = forms.EmailField(required=False)
    number = forms.IntegerField(required=False, widget=forms.NumberInput(attrs={"min": 0}))
    choice = forms.ChoiceField(choices=[("", "—"), ("a", "Satu <&>")], required=False)
    flag = forms.BooleanField(label="Rahasia & <tersembunyi>", required=False)
    needed = forms.BooleanField(label="Setuju")
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    files = forms.FileField(required=False)
    clearable = forms.FileField(required=False, widget=forms.ClearableFileInput)
    safe_label = forms.CharField(label=mark_safe("<em>Tebal</em>"), required=False)
    hidden = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError(["Periksa <isian>.", "Kedua"])


DATA = [
    None,
    {
        "text": '"><script>x</script>',
        "optional": "baris 1\n<b>baris 2</b>",
        "search": "a&b",
        "email": "bukan surel",
        "number": "-1x",
        "choice": "z",
        "flag": "on",
        "when": "2026-13-40",
        "hidden": "<h>",
    },
    {"text": "ok", "needed": "on", "choice": "a", "optional": ""},
]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("data", DATA)
@pytest.mark.parametrize("no_optional", [False, True])
def test_fields_equal_the_template(data, language, no_optional):
    files = {"files": SimpleUploadedFile("a.txt", b"x")} if data else None
    with translation.override(language):
        form = Sample(data=data, files=files, prefix="p" if data else None)
        if data is not None:
            form.is_valid()
        for name in form.fields:
            bound = form[name]
            expected = render_to_string(
                "forms/_field.html", {"field": bound, "no_optional": no_optional}
            )
            assert render_field(bound, no_optional=no_optional) == expected, name
        expected = render_to_string("forms/_form_errors.html", {"form": form})
        assert render_form_errors(form) == expected


def test_hostile_values_come_out_escaped():
    form = Sample(data=DATA[1])
    form.is_valid()
    html = render_field(form["text"])
    assert "<script>" not in html
    assert "&quot;&gt;&lt;script&gt;" in html
    assert "Judul &lt;b&gt;" in html
    assert "Mis. &quot;jalan&quot; &amp; &lt;i&gt;" in html
    assert "Periksa &lt;isian&gt;." in render_form_errors(form)
    assert "<em>Tebal</em>" in render_field(form["safe_label"])


@pytest.mark.parametrize("data", DATA)
def test_python_widgets_equal_django_templates(data):
    form = Sample(data=data)
    for name in form.fields:
        form.renderer = DjangoTemplates()
        expected = form[name].as_widget()
        form.renderer = FastSelectRenderer()
        assert form[name].as_widget() == expected, name


def test_a_clearable_file_input_with_a_file_is_left_to_the_template():
    class Stored:
        url = "/media/a.pdf"

        def __str__(self):
            return "a.pdf"

    form = Sample(initial={"clearable": Stored()})
    form.renderer = DjangoTemplates()
    expected = form["clearable"].as_widget()
    form.renderer = FastSelectRenderer()
    assert form["clearable"].as_widget() == expected
    assert 'href="/media/a.pdf"' in expected


def test_the_template_tags_draw_the_same(rf):
    from django.template import Context, Template

    form = Sample(data=DATA[1])
    form.is_valid()
    page = Template(
        "{% load formfields %}{% form_errors form %}{% field form.text %}"
        "{% field form.choice no_optional=True %}"
    ).render(Context({"form": form}))
    assert page == (
        render_form_errors(form)
        + render_field(form["text"])
        + render_field(form["choice"], no_optional=True)
    )
