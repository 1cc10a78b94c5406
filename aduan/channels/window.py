"""WhatsApp's customer service window: a business may send free-form messages to a person
only within 24 hours of that person's last message; after that, only an approved template
(https://developers.facebook.com/docs/whatsapp/pricing, "Customer service windows").
The last message is the newest `Message` Aduan received from the number on WhatsApp."""

from datetime import timedelta

from aduan.accounts.crypto import lookup_hash
from aduan.accounts.models import normalise_phone
from aduan.core import clock

from .models import Message

WINDOW = timedelta(hours=24)
# Our clock and Meta's may differ a little, and sending takes time: a window about to
# close is treated as closed.
MARGIN = timedelta(minutes=5)


def window_open(phone: str) -> bool:
    return Message.objects.filter(
        channel="whatsapp",
        sender_lookup=lookup_hash(normalise_phone(phone)),
        received_at__gte=clock.now() - WINDOW + MARGIN,
    ).exists()
