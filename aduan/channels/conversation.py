"""A report put together in a chat, one question at a time, in Indonesian:

    what happened  ->  where (a shared location or a typed place)  ->  a photo (or Lewati)
    ->  the summary with Kirim / Batal  ->  the report (`reports.actions.submit_report`)

A message fills what it can whatever the step: a shared location always sets the place and
the report's point, a photo is always kept, a photo's caption or the first text tells what
happened; typed text answers the question asked. Then the first missing piece is asked
for. `BATAL` drops the conversation at any step. The state (`models.Conversation`) is one
row per sender, encrypted, and expires `WHATSAPP_CONVERSATION_MINUTES` after the last
message; expired rows and their photos are removed as conversations go on.

Photos went through the web's upload checks before the message's transaction
(`channels.media`); they wait in storage and are attached to the report like a web
upload (private to the reporter and staff until staff publish them)."""

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from aduan.accounts.crypto import lookup_hash
from aduan.reports.actions import ReporterDetails, submit_report
from aduan.reports.actors import Actor
from aduan.reports.errors import DomainError, ValidationFailed
from aduan.reports.models import Channel

from .gateways.base import Inbound
from .intake import (
    REPEAT_WINDOW,
    Received,
    _clean_text,
    _domain_error_text,
    _queued_to_sender,
    _readable,
    _refuse,
    _reply,
    answer_repeat,
    title_of,
)
from .models import Conversation, Message, MessageStatus

PENDING_FILES = "channels/pending/"
MAX_PHOTOS = 3
# Shorter than this is a greeting ("halo", "pagi"), not a description.
WHAT_MIN = 15
SUMMARY_QUOTE = 300

CANCEL = {"BATAL"}
CONFIRM = {"KIRIM", "YA", "OK", "SETUJU"}
SKIP = {"LEWATI", "TIDAK", "TIDAK ADA", "SKIP"}


def _empty_state() -> dict:
    return {
        "what": "",
        "place": "",
        "latitude": None,
        "longitude": None,
        "photos": [],
        "no_photo": False,
        "messages": [],
    }


def _delete_files(names: list[str]) -> None:
    def delete():
        for name in names:
            if name.startswith(PENDING_FILES):
                default_storage.delete(name)

    # Only once the transaction that forgot them is committed.
    transaction.on_commit(delete)


def _drop(conversation: Conversation, state: dict) -> None:
    _delete_files(list(state.get("photos", [])))
    if conversation.pk:
        conversation.delete()


def _drop_expired(now) -> None:
    for expired in Conversation.objects.filter(expires_at__lte=now).order_by("pk")[:20]:
        _drop(expired, _state(expired))


def _state(conversation: Conversation) -> dict:
    try:
        state = json.loads(conversation.data or "{}")
    except ValueError:
        state = {}
    return _empty_state() | (state if isinstance(state, dict) else {})


def _next_step(state: dict) -> str:
    if not state["what"]:
        return "what"
    if not state["place"] and state["latitude"] is None:
        return "where"
    if not state["photos"] and not state["no_photo"]:
        return "photo"
    return "confirm"


def _prompt(step: str, state: dict) -> tuple[str, list]:
    if step == "what":
        return (
            _(
                "Halo, ini layanan pengaduan Aduan. Ceritakan apa yang terjadi: masalahnya, "
                "sejak kapan, dan siapa yang terdampak. Ketik BATAL untuk membatalkan."
            ),
            [],
        )
    if step == "where":
        return (
            _(
                "Di mana lokasinya? Bagikan lokasi (tombol lampiran, lalu Lokasi) atau tulis "
                "alamat atau nama tempatnya."
            ),
            [],
        )
    if step == "photo":
        return (
            _("Ada foto? Kirim fotonya sekarang, atau pilih Lewati."),
            [["LEWATI", _("Lewati")]],
        )
    what = state["what"]
    if len(what) > SUMMARY_QUOTE:
        what = what[:SUMMARY_QUOTE].rsplit(" ", 1)[0] + "..."
    if state["latitude"] is not None:
        point = f"{state['latitude']:.5f}, {state['longitude']:.5f}"
        place = f"{state['place']} ({point})" if state["place"] else point
    else:
        place = state["place"]
    summary = "\n".join(
        [
            _("Periksa laporan Anda."),
            _("Kejadian: %(what)s") % {"what": what},
            _("Lokasi: %(place)s") % {"place": place},
            _("Foto: %(count)s") % {"count": len(state["photos"])},
            _("Kirim laporan ini?"),
        ]
    )
    return summary, [["KIRIM", _("Kirim")], ["BATAL", _("Batal")]]


def converse(message: Message, address: str, inbound: Inbound, text: str, now) -> Received:
    """Take one message of the conversation and answer with the next question, or send
    the report when the sender confirms."""
    _drop_expired(now)
    conversation = (
        Conversation.objects.select_for_update()
        .filter(channel=message.channel, sender_lookup=message.sender_lookup)
        .first()
    )
    state = _state(conversation) if conversation else _empty_state()
    word = " ".join(text.upper().split())
    if word in CANCEL:
        if conversation is not None:
            _drop(conversation, state)
        message.outcome = "conversation cancelled"
        return Received(
            MessageStatus.PROCESSED,
            replies=[
                _reply(
                    message,
                    address,
                    _("Laporan dibatalkan. Kirim pesan kapan saja untuk membuat laporan baru."),
                )
            ],
        )
    if conversation is None:
        conversation = Conversation(
            channel=message.channel, sender_lookup=message.sender_lookup, step="what"
        )
    state["messages"].append(message.pk)
    notes = []
    if inbound.file_problem:
        notes.append(inbound.file_problem)
    for processed in inbound.files:
        if len(state["photos"]) >= MAX_PHOTOS:
            notes.append(_("Cukup %(count)s foto per laporan.") % {"count": MAX_PHOTOS})
            break
        name = default_storage.save(
            f"{PENDING_FILES}{uuid.uuid4().hex}{processed.extension}",
            ContentFile(processed.content),
        )
        state["photos"].append(name)
    if inbound.latitude is not None:
        state["latitude"], state["longitude"] = inbound.latitude, inbound.longitude
        state["place"] = _clean_text(inbound.place)[:300] or state["place"]

    step = conversation.step
    word_given = bool(text) and inbound.kind in ("text", "interactive", "button")
    if text and inbound.kind in ("image", "document"):
        # A caption tells what happened, if nothing did yet.
        if not state["what"] and len(text) >= WHAT_MIN and _readable(text):
            state["what"] = text
    elif word_given and step == "what":
        if len(text) >= WHAT_MIN and _readable(text):
            state["what"] = text
        elif _readable(text) and conversation.pk:
            notes.append(_("Mohon ceritakan lebih lengkap (minimal satu kalimat)."))
        elif not _readable(text):
            notes.append(_("Pesan tidak dapat dibaca."))
    elif word_given and step == "where":
        state["place"] = text[:300]
    elif word_given and step == "photo":
        if word in SKIP:
            state["no_photo"] = True
        else:
            notes.append(_("Kirim foto sebagai gambar, atau pilih Lewati."))
    elif word_given and step == "confirm" and word in CONFIRM:
        return _submit(message, address, conversation, state, now)
    elif inbound.kind == "other":
        notes.append(_("Kami hanya dapat membaca teks, foto, dokumen PDF, dan lokasi."))

    conversation.step = _next_step(state)
    conversation.data = json.dumps(state)
    conversation.expires_at = now + timedelta(minutes=settings.WHATSAPP_CONVERSATION_MINUTES)
    conversation.save()
    message.outcome = f"conversation: {conversation.step}"
    prompt, buttons = _prompt(conversation.step, state)
    reply = "\n".join([*notes, prompt])
    return Received(
        MessageStatus.PROCESSED, replies=[_reply(message, address, reply, buttons=buttons)]
    )


def _submit(message: Message, address: str, conversation, state: dict, now) -> Received:
    what = state["what"]
    message.text_lookup = lookup_hash(what)
    message.save(update_fields=["text_lookup"])
    repeat = (
        Message.objects.filter(
            channel=message.channel,
            sender_lookup=message.sender_lookup,
            text_lookup=message.text_lookup,
            received_at__gte=now - REPEAT_WINDOW,
            report__isnull=False,
        )
        .exclude(pk=message.pk)
        .select_related("report")
        .order_by("-received_at")
        .first()
    )
    if repeat is not None:
        _drop(conversation, state)
        message.outcome = "the same report was sent earlier"
        return answer_repeat(message, address, repeat)
    data = {
        "title": title_of(what),
        "body": what,
        "channel": Channel.WHATSAPP,
        "address": state["place"],
        "latitude": None if state["latitude"] is None else str(state["latitude"]),
        "longitude": None if state["longitude"] is None else str(state["longitude"]),
    }
    files = [default_storage.open(name) for name in state["photos"] if default_storage.exists(name)]
    try:
        with transaction.atomic():
            result = submit_report(
                data,
                actor=Actor(),
                reporter=ReporterDetails(phone=address, contact_verified_at=now),
                files=files,
            )
    except DomainError as error:
        if isinstance(error, ValidationFailed) and "latitude" in error.errors:
            # A point outside Indonesia: ask for the place again.
            state["latitude"] = state["longitude"] = None
        conversation.step = _next_step(state)
        conversation.data = json.dumps(state)
        conversation.expires_at = now + timedelta(minutes=settings.WHATSAPP_CONVERSATION_MINUTES)
        conversation.save()
        message.outcome = f"report refused: {error.code}"
        prompt, _buttons = _prompt(conversation.step, state)
        return _refuse(
            message,
            address,
            _("Laporan belum dapat kami terima: %(reason)s") % {"reason": _domain_error_text(error)}
            + "\n"
            + prompt,
        )
    finally:
        for opened in files:
            opened.close()
    report = result.report
    # The whole conversation belongs to the report: staff read the original messages.
    Message.objects.filter(pk__in=state["messages"]).update(report=report)
    _drop(conversation, state)
    message.outcome = "new report"
    return Received(
        MessageStatus.PROCESSED,
        report=report,
        replies=_queued_to_sender(report, message.channel, now),
    )
