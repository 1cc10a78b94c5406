"""`{% field %}` and `{% form_errors %}`: forms/_field.html and forms/_form_errors.html
drawn in Python (core.formfields)."""

from django import template

from aduan.core.formfields import render_field, render_form_errors

register = template.Library()


@register.simple_tag
def field(bound_field, no_optional=False):
    return render_field(bound_field, no_optional=bool(no_optional))


@register.simple_tag
def form_errors(form):
    return render_form_errors(form)
