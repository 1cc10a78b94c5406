"""Which language a request is answered in.

Aduan serves Indonesian citizens and officials: a page is in Indonesian unless the person
picked English with the switch in the page header. The browser's Accept-Language is not
asked, since an English-language phone or office computer says nothing about the person
using it and the Indonesian text is the authoritative one.

The choice, in order:

1. a signed-in person's account (`User.language`), so the choice follows them to another
   browser and to their next session;
2. the language cookie the switch sets on this browser (kept for a year);
3. only under /open311/, the `Accept-Language` header: an Open311 client is a program
   with no switch to press and no cookies, and the spec gives it no other way to ask for
   names and notices in English (the REST API needs none: its bodies carry both
   languages);
4. Indonesian.

An account with no choice of its own takes the one made on this browser when its owner
signs in.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

# Machine interfaces whose clients choose the language with Accept-Language.
ACCEPT_LANGUAGE_PREFIXES = ("/open311/",)


def supported(code: str | None) -> str | None:
    """`code` when it is one of LANGUAGES, else None."""
    if code and code in dict(settings.LANGUAGES):
        return code
    return None


def _account(request: HttpRequest):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None


def language_for(request: HttpRequest) -> str:
    account = _account(request)
    chosen = supported(getattr(account, "language", None)) or supported(
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    )
    if chosen:
        return chosen
    if request.path_info.startswith(ACCEPT_LANGUAGE_PREFIXES):
        return translation.get_language_from_request(request)
    return settings.LANGUAGE_CODE


def _set_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class LanguageMiddleware:
    """Activates the request's language (see the module docstring) in place of Django's
    LocaleMiddleware. Place after AuthenticationMiddleware: the account's choice comes
    first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        account = _account(request)
        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if (
            account is not None
            and supported(account.language)
            and account.language != cookie
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            # Keep this browser in the account's language after its owner signs out.
            _set_cookie(response, account.language)
        vary = ("Cookie",)
        if request.path_info.startswith(ACCEPT_LANGUAGE_PREFIXES):
            vary += ("Accept-Language",)
        patch_vary_headers(response, vary)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


def _back(request: HttpRequest) -> str:
    """Where the switch returns to: `next`, else the page it was pressed on, if on this
    site."""
    for candidate in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The language switch: back to the page, with the choice in the language cookie and,
    for a signed-in person, on the account. A language we do not offer changes nothing
    (Django's own view would store any language Django itself knows, such as French)."""
    response = HttpResponseRedirect(_back(request))
    language = supported(request.POST.get("language"))
    if language is None:
        return response
    _set_cookie(response, language)
    account = _account(request)
    if account is not None and account.language != language:
        account.language = language
        account.save(update_fields=["language"])
    return response


def adopt_browser_language(sender, request, user, **kwargs) -> None:
    """On sign-in, an account that has no choice yet takes the one made on this browser
    (e.g. English picked before signing in). An account's own choice is never replaced by
    a cookie, which may be older than it."""
    if request is None or user.language:
        return
    language = supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if language:
        type(user).objects.filter(pk=user.pk, language="").update(language=language)
        user.language = language


def connect() -> None:
    user_logged_in.connect(adopt_browser_language, dispatch_uid="aduan-adopt-browser-language")
