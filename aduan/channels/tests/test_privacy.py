"""A message's sender and text are personal data: encrypted at rest like a web
reporter's, re-encrypted by a key rotation, found again only through keyed hashes."""

import io

from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from aduan.channels.models import Message

from .conftest import CITIZEN_PHONE

TEXT = "LAPOR Saya Rahmat, NIK 6408041234567890, jalan depan rumah saya di Gang Mawar rusak"


def raw_messages():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sender, sender_lookup, text, text_lookup FROM channels_message")
        return cursor.fetchall()


def test_the_sender_and_the_text_are_encrypted_at_rest(world, phone):
    phone.send(TEXT)
    stored = " ".join(str(cell) for row in raw_messages() for cell in row)
    for plaintext in (CITIZEN_PHONE, "81350001111", "Rahmat", "6408041234567890", "Mawar"):
        assert plaintext not in stored
    message = Message.objects.get()
    assert message.sender == CITIZEN_PHONE and message.text == TEXT
    assert CITIZEN_PHONE not in f"{message} {message!r}"


def test_rotating_keys_re_encrypts_messages(world, phone, settings):
    phone.send(TEXT)
    before = raw_messages()
    old_keys = list(settings.PERSONAL_DATA_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, *old_keys]
    call_command("rotate_encryption_keys", "--commit", stdout=io.StringIO())
    after = raw_messages()
    assert after[0][0] != before[0][0] and after[0][2] != before[0][2]
    assert after[0][1] == before[0][1]  # the lookup hashes do not depend on the key
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert Message.objects.get().text == TEXT
