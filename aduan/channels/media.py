"""Files attached to a chat message (a WhatsApp photo or PDF): downloaded from the provider
and put through the web's upload checks (`aduan.core.uploads.process_upload`: the type
sniffed from the content, images re-encoded without their metadata, PDFs rebuilt) before
the message's transaction opens, so that no slow download or decoding runs inside it.

A message that will not be acted on (a replay, a blocked sender, a sender over the rate
limit) is not worth a download: the cheap checks of the intake run first."""

import dataclasses
import io
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from aduan.core import clock
from aduan.core.uploads import UploadRejected, process_upload

from .gateways.base import Gateway, Inbound
from .intake import sender_key
from .models import BlockKind, Message, SenderBlock

logger = logging.getLogger(__name__)

# Files kept from one message; WhatsApp sends one per message anyway.
MAX_FILES = 1


def _worth_fetching(inbound: Inbound) -> bool:
    if Message.objects.filter(
        channel=inbound.channel, gateway=inbound.gateway, provider_id=inbound.provider_id
    ).exists():
        return False
    _, lookup = sender_key(inbound)
    if SenderBlock.objects.filter(
        channel=inbound.channel, kind=BlockKind.BLOCKED, address_lookup=lookup
    ).exists():
        return False
    window = clock.now() - timedelta(minutes=settings.CHANNEL_SENDER_WINDOW_MINUTES)
    recent = Message.objects.filter(
        channel=inbound.channel, sender_lookup=lookup, received_at__gte=window
    ).count()
    return recent < settings.CHANNEL_SENDER_LIMIT


def fetch_files(adapter: Gateway, inbound: Inbound) -> Inbound:
    """`inbound` with its files downloaded and checked, or with the reason they were
    refused (in Indonesian, for the answer to the sender)."""
    if not inbound.media_ids or not _worth_fetching(inbound):
        return inbound
    files, problem = [], ""
    with translation.override("id"):
        for media_id in inbound.media_ids[:MAX_FILES]:
            try:
                content = adapter.fetch_media(media_id)
                files.append(process_upload(io.BytesIO(content), name="foto"))
            except UploadRejected as error:
                problem = " ".join(str(m) for m in error.messages)
            except (OSError, ValueError) as error:
                logger.warning("%s media could not be fetched: %s", inbound.channel, error)
                problem = _("Berkas Anda tidak dapat kami ambil; silakan kirim lagi.")
    return dataclasses.replace(inbound, files=tuple(files), file_problem=problem)
