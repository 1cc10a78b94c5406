"""django-csp's middleware with the policy built once instead of on every response.

django-csp rebuilds the Content-Security-Policy header from the settings for every
response (a dataclass turned into a dict, every directive joined and sorted): about 4 % of
a report submission's CPU. Nearly every response carries the same policy: no nonce was
asked for and no view changed the policy (`csp_update`, `csp_replace`, `csp` decorators).
Those get the policy built the first time and kept for as long as the settings objects it
was built from are the ones in place (`override_settings` replaces them, so tests that
change the policy see the change). Any other response takes django-csp's own path."""

from __future__ import annotations

import http.client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# Attributes the decorators set on a response to change its policy.
_OVERRIDES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)


class CSPMiddleware(_CSPMiddleware):
    _built: tuple | None = None

    @classmethod
    def _policies(cls) -> tuple[str, str, tuple, tuple]:
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = cls._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            built = (
                policy,
                report_only,
                build_policy(),
                build_policy(report_only=True),
                tuple((policy or {}).get("EXCLUDE_URL_PREFIXES") or ()),
                tuple((report_only or {}).get("EXCLUDE_URL_PREFIXES") or ()),
            )
            cls._built = built
        return built[2:]

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _OVERRIDES
        ):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        csp, csp_ro, excluded, excluded_ro = self._policies()
        path = request.path_info
        for header, value, exempt, skipped in (
            (HEADER, csp, "_csp_exempt", excluded),
            (HEADER_REPORT_ONLY, csp_ro, "_csp_exempt_ro", excluded_ro),
        ):
            if (
                value
                and not getattr(response, exempt, False)
                and header not in response
                and not path.startswith(skipped)
            ):
                response[header] = value
        # As django-csp: asking for a nonce once the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
