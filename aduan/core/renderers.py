"""Form renderer that draws <select>, <input> and <textarea> widgets in Python.

Django renders every <option> through two template includes; a select with 500 regions
costs ~20 ms of CPU that way, and the staff inbox filter alone has several. A text input
or a textarea costs two template renders (the widget's and `attrs.html`) too; the staff
report page draws a dozen. This renderer produces exactly the markup of Django's
`select.html` / `select_option.html`, `input.html` (and the templates that only include
it), `textarea.html`, `clearable_file_input.html` without an initial file, and
`attrs.html` (a test compares them), and leaves every other widget, and any select with
a custom option template, to the templates.
"""

from django.forms import Select
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from . import refcache

SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{conditional_escape(value)}"')
    return "".join(out)


def render_select(widget: dict) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:  # (the option template ends with a newline)
            if option.get("template_name") != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# Django's templates that are `input.html` and nothing else.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "input",
        "text",
        "search",
        "email",
        "number",
        "url",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
        "file",
        "color",
    )
)
TEXTAREA_TEMPLATE = "django/forms/widgets/textarea.html"
CLEARABLE_FILE_TEMPLATE = "django/forms/widgets/clearable_file_input.html"


def render_input(widget: dict) -> str:
    value = widget["value"]
    shown = f' value="{conditional_escape(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def render_textarea(widget: dict) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


def render_file_input(widget: dict) -> str | None:
    if widget.get("is_initial"):
        return None
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
    )


class FastSelectRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        html = None
        if template_name == SELECT_TEMPLATE:
            html = render_select(context["widget"])
        elif template_name in INPUT_TEMPLATES:
            html = render_input(context["widget"])
        elif template_name == TEXTAREA_TEMPLATE:
            html = render_textarea(context["widget"])
        elif template_name == CLEARABLE_FILE_TEMPLATE:
            html = render_file_input(context["widget"])
        if html is not None:
            return mark_safe(html)  # noqa: S308 - every value in it is escaped
        return super().render(template_name, context, request)


class MemoSelect(Select):
    """A <select> whose rendered HTML is remembered by each process (core.refcache), for
    long choice lists drawn on every page view (the inbox's region and category filters).
    The key is the choices themselves plus the field name, the chosen value, the
    attributes and the language: the same HTML is only ever reused for the same input,
    so the entry needs no version (a changed category gives other choices, another key)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = tuple((str(v), str(label)) for v, label in self.choices)
        key = (
            choices,
            name,
            repr(value),
            repr(sorted((attrs or {}).items())),
            repr(sorted(self.attrs.items())),
            translation.get_language(),
        )
        return refcache.lookup(
            "select-html",
            key,
            lambda: super(MemoSelect, self).render(name, value, attrs, renderer),
            versioned=False,
        )
