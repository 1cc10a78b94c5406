"""Template helpers for accessible form fields (WCAG 2.1: labels tied to inputs, help and
errors linked with aria-describedby, invalid fields marked) and report display."""

from django import template

from aduan.portal.display import STATUS_BADGES

register = template.Library()


def described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_help")
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    return " ".join(ids)


@register.simple_tag
def widget(field, **attrs):
    """Render the field's widget with aria-describedby/aria-invalid set from its help text
    and errors; extra attributes (e.g. disabled=True) may be given."""
    attrs = {key.replace("_", "-"): value for key, value in attrs.items() if value}
    ids = described_by(field)
    if ids:
        attrs["aria-describedby"] = ids
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


@register.filter
def filesize(size: int) -> str:
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"
