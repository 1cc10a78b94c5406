"""The subscription pages: ask, confirm, unsubscribe (docs/ALERTS.md). No page needs a
login; the links in the mails are the credentials."""

from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from aduan.accounts.forms import client_ip
from aduan.portal import display

from . import subscriptions
from .forms import AREA_POINT, SubscribeForm
from .subscriptions import SubscriptionError

QUERY_FIELDS = ("provinsi", "kabupaten", "kecamatan", "kategori", "area", "lintang", "bujur")


def _initial(params) -> dict:
    """What a link to the form fills in (`?kabupaten=64.08&kategori=…`, or a point): the
    levels above a region are derived from its code."""
    initial = {name: params.get(name, "").strip()[:30] for name in QUERY_FIELDS}
    for name, length in (("kabupaten", 5), ("provinsi", 2)):
        below = initial["kecamatan"] or initial["kabupaten"]
        if not initial[name] and len(below) > length:
            initial[name] = below[:length]
    if initial["lintang"] and initial["bujur"] and not initial["area"]:
        initial["area"] = AREA_POINT
    initial["radius"] = params.get("radius", "1000")
    return {name: value for name, value in initial.items() if value}


@require_http_methods(["GET", "POST"])
def subscribe(request):
    english = display.english()
    status = 200
    if request.method == "GET":
        form = SubscribeForm(initial=_initial(request.GET), english=english)
    elif request.POST.get("aksi") == "pilih":
        # The no-JavaScript region step: show the next level's choices, no errors yet.
        form = SubscribeForm(initial=request.POST.dict(), english=english)
    else:
        form = SubscribeForm(request.POST, english=english)
        if form.is_valid():
            try:
                subscriptions.request_subscription(
                    form.cleaned_data["email"],
                    form.subscription_area(),
                    form.cleaned_data["category"],
                    ip=client_ip(request),
                )
            except SubscriptionError as exc:
                form.add_error(None, exc.message)
                status = exc.status
            else:
                return redirect("alerts:subscribe-sent")
        else:
            status = 400
    return render(request, "alerts/subscribe.html", {"form": form}, status=status)


@require_GET
def subscribe_sent(request):
    return render(request, "alerts/sent.html", {"days": subscriptions.CONFIRM_DAYS})


def _problem(request, exc: SubscriptionError):
    return render(request, "alerts/problem.html", {"message": exc.message}, status=exc.status)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows what would be confirmed and a button; only the POST confirms, so a mail
    scanner that opens every link confirms nothing."""
    try:
        if request.method == "POST":
            subscription = subscriptions.confirm(token)
            confirmed = True
        else:
            subscription = subscriptions.subscription_for_confirmation(token)
            confirmed = subscription.confirmed_at is not None
    except SubscriptionError as exc:
        return _problem(request, exc)
    context = {
        "description": subscriptions.describe(subscription),
        "confirmed": confirmed,
        "unsubscribe_token": subscriptions.unsubscribe_token(subscription),
    }
    return render(request, "alerts/confirm.html", context)


# One-click unsubscribe (RFC 8058): mail clients POST here without cookies, so no CSRF
# token can be asked for; the signed token in the address is the only credential.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        if request.method == "POST":
            ended = subscriptions.unsubscribe(token)
            return render(request, "alerts/unsubscribed.html", {"ended": ended})
        found = subscriptions.subscriptions_for_unsubscribe(token)
    except SubscriptionError as exc:
        return _problem(request, exc)
    context = {"descriptions": [subscriptions.describe(item) for item in found]}
    return render(request, "alerts/unsubscribe.html", context)
