"""Open311 responses in the format the URL asks for (`.json` or `.xml`), and errors in the
spec's own format (GeoReport v2, "Errors"):

    JSON  [{"code": 400, "description": "..."}]
    XML   <errors><error><code>400</code><description>...</description></error></errors>

Responses are built from plain Python values (dicts, lists, strings, numbers, booleans,
None). In XML a list becomes one child element per item, named after the list (see
`ITEM_NAMES`), booleans become "true"/"false" and None an empty element. The XML is
written with the standard library (ElementTree), which escapes markup; characters XML 1.0
cannot carry at all (most control characters, lone surrogates) are removed from every
string first, in both formats, so the two formats always say the same thing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from django.http import HttpResponse

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
MEDIA_TYPES = ("text/xml", "application/json")

# Characters allowed by XML 1.0 (section 2.2): tab, newline, carriage return and the
# Unicode ranges below. Everything else (NUL and other C0 controls, U+FFFE/U+FFFF, lone
# surrogates) cannot appear in an XML document even escaped.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# The element name of one item of each list, as the spec's XML examples name them.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "notes": "note",
    "service_request_updates": "request_update",
}


def clean_text(value: str) -> str:
    """`value` without the characters XML cannot carry."""
    return _NOT_XML_CHAR.sub("", value)


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    return value


def _scalar(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _scalar(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, _clean(data))
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def to_json(data) -> bytes:
    return json.dumps(_clean(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def respond(fmt: str, root: str, data, *, status: int = 200, headers=None) -> HttpResponse:
    """`data` as JSON (as is) or XML (under the `root` element)."""
    if fmt == "json":
        response = HttpResponse(to_json(data), status=status, content_type=JSON_CONTENT_TYPE)
    else:
        response = HttpResponse(to_xml(root, data), status=status, content_type=XML_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


@dataclass(frozen=True)
class Problem:
    """One entry of an errors response; `description` is "Indonesian / English"."""

    code: int
    message_id: str
    message_en: str

    @property
    def description(self) -> str:
        return f"{self.message_id} / {self.message_en}"


class Open311Error(Exception):
    """Raised by a view to answer with the spec's errors document. The HTTP status is the
    code of the first problem (all problems of one response share the same code)."""

    def __init__(self, *problems: Problem, headers: dict | None = None):
        super().__init__("; ".join(p.description for p in problems))
        self.problems = problems
        self.headers = headers or {}

    @classmethod
    def one(cls, code: int, message_id: str, message_en: str, **kwargs) -> Open311Error:
        return cls(Problem(code, message_id, message_en), **kwargs)

    @property
    def status(self) -> int:
        return self.problems[0].code


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    errors = [{"code": p.code, "description": p.description} for p in error.problems]
    return respond(fmt, "errors", errors, status=error.status, headers=error.headers)
