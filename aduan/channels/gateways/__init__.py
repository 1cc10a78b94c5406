"""The channel adapters, by channel and name (the path of their webhooks:
/channels/<channel>/<name>/inbound and /status)."""

from .base import Gateway
from .generic import GenericSMSGateway
from .twilio import TwilioSMSGateway
from .whatsapp import WhatsAppCloudGateway

GATEWAYS: dict[tuple[str, str], type[Gateway]] = {
    (cls.channel, cls.name): cls for cls in (GenericSMSGateway, TwilioSMSGateway)
}
# WhatsApp (Meta's Cloud API).
GATEWAYS[(WhatsAppCloudGateway.channel, WhatsAppCloudGateway.name)] = WhatsAppCloudGateway


def gateway(channel: str, name: str) -> Gateway | None:
    """The configured adapter, or None (its webhooks then answer 404)."""
    cls = GATEWAYS.get((channel, name))
    if cls is None:
        return None
    instance = cls()
    return instance if instance.configured() else None
