"""Form fields drawn in Python: exactly the markup of `forms/_field.html` and
`forms/_form_errors.html` (a test renders both ways and compares them), without a
template include per field. The staff inbox's filter form and the report page's action
forms draw twenty or more fields per view, and the include cost more CPU than the rest
of the field.

Templates use them as `{% load formfields %}{% field form.name no_optional=True %}` and
`{% form_errors form %}`. Everything given to the page is escaped here unless already safe
(`conditional_escape`), as the template's `{{ }}` does; the widget comes from the field's
own rendering (core.renderers).
"""

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from .html import t


def render_field(field, *, no_optional: bool = False) -> SafeString:
    """`{% include "forms/_field.html" with field=field no_optional=no_optional %}`."""
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    label = conditional_escape(field.label)
    for_id = conditional_escape(field.id_for_label)
    parts = ['<div class="field', " field-error" if errors else "", '">\n  ']
    if checkbox:
        widget = conditional_escape(str(field))
        parts.append(
            f'\n    <label class="choice" for="{for_id}">{widget} <span>{label}</span></label>\n  '
        )
    else:
        optional = ""
        if not field.field.required and not no_optional:
            optional = f' <span class="muted">({t("opsional")})</span>'
        parts.append(f'\n    <label for="{for_id}">{label}{optional}</label>\n  ')
    parts.append("\n  ")
    if errors:
        items = "".join(f"<li>{conditional_escape(error)}</li>" for error in errors)
        parts.append(f'<ul class="errorlist">{items}</ul>')
    parts.append("\n  ")
    if not checkbox:
        parts.append(conditional_escape(str(field)))
    parts.append("\n  ")
    if field.help_text:
        parts.append(
            f'<p class="help" id="{conditional_escape(field.auto_id)}_helptext">'
            f"{conditional_escape(field.help_text)}</p>"
        )
    parts.append("\n</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


def render_form_errors(form) -> SafeString:
    """`{% include "forms/_form_errors.html" %}` with `form` in the context."""
    errors = form.non_field_errors()
    if not errors:
        return mark_safe("\n")
    items = "".join(f"<p>{conditional_escape(error)}</p>" for error in errors)
    return mark_safe(  # noqa: S308 - escaped just above
        f'<div class="message message-error form-errors" role="alert">{items}</div>\n'
    )
