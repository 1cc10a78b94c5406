import json
from urllib.parse import urlencode

import pytest

from aduan.channels.gateways import signing
from aduan.channels.gateways.twilio import signature
from conftest import run_tasks

from .fake_providers import FakeGenericGateway, FakeTwilio

SITE = "https://aduan.kutaitimurkab.go.id"
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "twilio-auth-token-uji"
GENERIC_SECRET = "rahasia-gateway-uji-panjang"
CITIZEN_PHONE = "+6281350001111"


class TwilioPhone:
    """A citizen's phone as Twilio delivers its messages to Aduan, and what it received."""

    def __init__(self, client, server, number=CITIZEN_PHONE):
        self.client, self.server, self.number = client, server, number
        self.count = 0

    def send(self, text, *, sid=None, signed=True, number=None):
        self.count += 1
        sid = sid or f"SM{self.count:032x}"
        # The parameters of Twilio's request to an incoming-message webhook
        # (https://www.twilio.com/docs/messaging/guides/webhook-request); the signature
        # covers them all, and Twilio may add parameters at any time.
        params = {
            "ToCountry": "ID",
            "ToState": "",
            "SmsMessageSid": sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": text,
            "FromCountry": "ID",
            "To": "+621708",
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": number or self.number,
            "ApiVersion": "2010-04-01",
        }
        path = "/channels/sms/twilio/inbound"
        sig = signature(AUTH_TOKEN, SITE + path, params) if signed else "AAAA"
        return self.client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=sig,
        )

    def status(self, sid, status, error_code=""):
        # Twilio's status callback parameters for an outbound SMS.
        params = {
            "SmsSid": sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "To": self.number,
            "MessageSid": sid,
            "AccountSid": ACCOUNT_SID,
            "From": "+15005550006",
            "ApiVersion": "2010-04-01",
        }
        if error_code:
            params["ErrorCode"] = error_code
        path = "/channels/sms/twilio/status"
        return self.client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=signature(AUTH_TOKEN, SITE + path, params),
        )

    def inbox(self):
        """Every SMS the provider accepted for this phone, after the worker ran."""
        run_tasks()
        return [r["text"] for r in self.server.sent if r["to"] == self.number]


@pytest.fixture
def twilio(settings):
    server = FakeTwilio(ACCOUNT_SID, AUTH_TOKEN)
    settings.SITE_URL = SITE
    settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_FROM_NUMBER = "+15005550006"
    settings.TWILIO_API_BASE = server.url
    settings.SMS_BACKEND = "aduan.channels.gateways.TwilioSMSGateway"
    yield server
    server.close()


@pytest.fixture
def phone(client, twilio):
    return TwilioPhone(client, twilio)


def post_generic(client, payload, *, secret=GENERIC_SECRET, now=None, path="inbound", raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    headers = signing.signed_headers(secret, body, now)
    return client.post(
        f"/channels/sms/generic/{path}",
        body,
        content_type="application/json",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    )


@pytest.fixture
def generic(settings):
    server = FakeGenericGateway(GENERIC_SECRET)
    settings.SITE_URL = SITE
    settings.SMS_GENERIC_SECRET = GENERIC_SECRET
    settings.SMS_GENERIC_SEND_URL = server.url + "/send"
    settings.SMS_BACKEND = "aduan.channels.gateways.GenericSMSGateway"
    yield server
    server.close()


class GenericPhone:
    """The same phone behind a gateway speaking the generic format."""

    def __init__(self, client, server, number=CITIZEN_PHONE):
        self.client, self.server, self.number = client, server, number
        self.count = 0

    def send(self, text, *, sid=None, number=None):
        self.count += 1
        payload = {
            "id": sid or f"gw-{self.count}",
            "from": number or self.number,
            "to": "1708",
            "text": text,
        }
        return post_generic(self.client, payload)

    def status(self, provider_id, status, error_code=""):
        payload = {"id": provider_id, "status": status, "error": error_code}
        return post_generic(self.client, payload, path="status")

    def inbox(self):
        run_tasks()
        return [r["text"] for r in self.server.sent if r["to"] == self.number]


@pytest.fixture(params=["twilio", "generic"])
def any_phone(request, client, settings):
    """The citizen's phone behind each SMS adapter in turn."""
    if request.param == "twilio":
        return TwilioPhone(client, request.getfixturevalue("twilio"))
    return GenericPhone(client, request.getfixturevalue("generic"))


# --- WhatsApp (Meta's Cloud API) ----------------------------------------------------------


@pytest.fixture
def graph(settings):
    from .fake_whatsapp import FakeGraph
    from .whatsapp import ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN

    server = FakeGraph(ACCESS_TOKEN, PHONE_NUMBER_ID)
    settings.SITE_URL = SITE
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_API_BASE = server.base
    yield server
    server.close()


@pytest.fixture
def whatsapp(client, graph):
    from .whatsapp import WhatsAppPhone

    return WhatsAppPhone(client, graph)
