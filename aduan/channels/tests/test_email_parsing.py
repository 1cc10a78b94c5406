"""Reading a received e-mail (`gateways/mail.py`): no database, no listener."""

import pytest
from django.core.management import CommandError, call_command

from aduan.channels import listener
from aduan.channels.gateways.mail import (
    Bounce,
    Ignored,
    OwnAddresses,
    html_to_text,
    parse_message,
    provider_id,
    strip_quoted,
)

OWN = OwnAddresses(frozenset({"noreply@aduan.example.go.id"}), "aduan.example.go.id")


def parse(headers: str, body: str = "Jalan rusak di depan pasar.", mail_from="warga@example.com"):
    raw = (headers.strip().replace("\n", "\r\n") + "\r\n\r\n" + body).encode()
    return parse_message(raw, mail_from=mail_from, own=OWN)


@pytest.mark.parametrize(
    "header",
    [
        "Auto-Submitted: auto-replied",
        "Auto-Submitted: auto-generated; owner-email=x@example.com",
        "X-Autoreply: yes",
        "X-Autorespond: Saya sedang cuti",
        "Precedence: bulk",
        "Precedence: auto_reply",
        "Precedence: junk",
        "Message-ID: <notification-0b7c1a3e-0000-4000-8000-000000000001@aduan.example.go.id>",
    ],
)
def test_automatic_mail_and_our_own_mail_are_ignored(header):
    result = parse(f"From: warga@example.com\nSubject: x\n{header}")
    assert isinstance(result, Ignored)


def test_bounces_are_ignored():
    assert isinstance(parse("From: warga@example.com", mail_from="<>"), Ignored)
    assert isinstance(parse("From: MAILER-DAEMON@mx.example.com"), Ignored)
    report = 'From: warga@example.com\nContent-Type: multipart/report; boundary="b"'
    assert isinstance(parse(report, "--b\r\n\r\nx\r\n--b--"), Ignored)
    assert isinstance(parse("From: noreply@aduan.example.go.id"), Ignored)


def test_an_explicit_no_and_ordinary_mail_are_read():
    inbound = parse(
        "From: Warga <Warga@Example.com>\nSubject: Jalan rusak\nAuto-Submitted: no\n"
        "Message-ID: <abc@example.com>\nReferences: <a@x> <b@y>\nIn-Reply-To: <c@z>"
    )
    assert inbound.sender == "warga@example.com"
    assert (inbound.subject, inbound.provider_id) == ("Jalan rusak", "<abc@example.com>")
    assert inbound.thread == ("<a@x>", "<b@y>", "<c@z>")
    assert (inbound.channel, inbound.gateway) == ("email", "smtp")


def test_a_message_without_a_message_id_is_keyed_by_its_digest():
    first = parse("From: warga@example.com", "satu")
    assert first.provider_id.startswith("sha256:")
    assert first.provider_id != parse("From: warga@example.com", "dua").provider_id
    assert provider_id("<" + "x" * 200 + "@y>", b"").startswith("sha256:")


def test_html_becomes_plain_text_without_scripts_or_markup():
    html = (
        "<html><head><title>t</title><style>p{color:red}</style></head><body>"
        "<p>Pohon &lt;tumbang&gt; &amp; kabel putus</p><script>alert(1)</script>"
        "<ul><li>Jl. Yos Sudarso</li><li>RT 12</li></ul><img src=x onerror=alert(1)></body></html>"
    )
    assert html_to_text(html) == "Pohon <tumbang> & kabel putus\n\nJl. Yos Sudarso\n\nRT 12"


def test_a_reply_loses_what_it_quotes_and_its_signature():
    text = (
        "Dekat masjid.\n\nPada tanggal 8 Mar 2027, Aduan <noreply@aduan.example.go.id>\n"
        "menulis:\n> Di mana?\n"
    )
    assert strip_quoted(text) == "Dekat masjid."
    assert strip_quoted("Ya.\n-- \nBudi\n0812") == "Ya."
    assert strip_quoted("Baik.\n-----Original Message-----\nFrom: x") == "Baik."


def test_garbage_never_raises():
    for raw in (b"", b"\x00\xff" * 500, b"From: \r\n\r\n", b"Content-Type: multipart/mixed\r\n"):
        result = parse_message(raw, mail_from="x@example.com", own=OWN)
        assert result is not None


OURS = "<notification-0b7c1a3e-0000-4000-8000-000000000001@aduan.example.go.id>"


def dsn(action: str, returned_id: str, returned_as="text/rfc822-headers") -> str:
    returned = f"Message-ID: {returned_id}\r\nSubject: Laporan PST-26-0000001-5\r\n"
    if returned_as == "message/rfc822":
        returned += "\r\nisi\r\n"
    return (
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; warga@example.com\r\nAction: {action}\r\n"
        "Status: 5.1.1\r\n\r\n"
        f"--b\r\nContent-Type: {returned_as}\r\n\r\n{returned}--b--\r\n"
    )


REPORT = (
    "From: MAILER-DAEMON@mx.example.com\nContent-Type: multipart/report; "
    'report-type=delivery-status; boundary="b"'
)


@pytest.mark.parametrize("returned_as", ["text/rfc822-headers", "message/rfc822"])
def test_a_bounce_of_our_message_names_it(returned_as):
    bounce = parse(REPORT, dsn("failed", OURS, returned_as), mail_from="<>")
    assert bounce == Bounce(
        "0b7c1a3e-0000-4000-8000-000000000001",
        "bounced by the recipient's mail server (status 5.1.1)",
    )


def test_a_delay_or_a_bounce_of_another_message_is_only_dropped():
    assert isinstance(parse(REPORT, dsn("delayed", OURS), mail_from="<>"), Ignored)
    assert isinstance(parse(REPORT, dsn("failed", "<x@example.com>"), mail_from="<>"), Ignored)


def test_undecodable_header_bytes_give_no_unencodable_text():
    raw = (
        b"From: warga@example.com\r\nMessage-ID: <\xff\xfe@example.com>\r\n"
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        b'Content-Type: image/png\r\nContent-Disposition: attachment; filename="f\xff.png"\r\n'
        b"\r\nabc\r\n--b--\r\n"
    )
    inbound = parse_message(raw, mail_from="warga@example.com", own=OWN)
    inbound.provider_id.encode("utf-8")
    inbound.attachments[0].name.encode("utf-8")


def test_the_listener_takes_only_its_recipients(settings):
    settings.EMAIL_INTAKE_RECIPIENTS = ["lapor@aduan.example.go.id", "@pengaduan.example.go.id"]
    assert listener.accepts("Lapor@Aduan.Example.go.id")
    assert listener.accepts("dinas-pu@pengaduan.example.go.id")
    assert not listener.accepts("kepala@aduan.example.go.id")
    assert not listener.accepts("x@evilpengaduan.example.go.id.attacker.example")


def test_the_listener_will_not_start_without_an_address(settings):
    settings.EMAIL_INTAKE_RECIPIENTS = []
    with pytest.raises(CommandError, match="EMAIL_INTAKE_ADDRESS"):
        call_command("run_mail_listener", "--port", "0")


# -- whose mail: the From domain proven by the trusted mail server's checks ------------------

TRUSTED = "mx.kutaitimurkab.go.id"


def parse_checked(results: str, sender="warga@example.com"):
    headers = f"{results}\nFrom: Warga <{sender}>\nSubject: Jalan rusak"
    raw = (headers.strip().replace("\n", "\r\n") + "\r\n\r\nJalan rusak di KM 7.").encode()
    return parse_message(raw, mail_from=sender, own=OWN, authserv_id=TRUSTED)


@pytest.mark.parametrize(
    "results",
    [
        f"Authentication-Results: {TRUSTED}; dmarc=pass header.from=example.com",
        f"Authentication-Results: {TRUSTED}; dkim=pass header.d=example.com; spf=fail",
        f"Authentication-Results: {TRUSTED}; spf=pass smtp.mailfrom=bounce@example.com",
        # A subdomain of the sender's domain's organisation passes (relaxed alignment).
        f"Authentication-Results: {TRUSTED.upper()}; dkim=pass header.d=example.com",
    ],
)
def test_mail_whose_domain_vouches_for_the_sender_is_read(results):
    result = parse_checked(results)
    assert not isinstance(result, Ignored) and result.sender == "warga@example.com"


@pytest.mark.parametrize(
    ("results", "why"),
    [
        ("", "no results from"),
        (f"Authentication-Results: {TRUSTED}; dmarc=fail header.from=example.com", "dmarc=fail"),
        (
            f"Authentication-Results: {TRUSTED}; dkim=pass header.d=penipu.example",
            "dkim=pass for another domain",
        ),
        # Written by the sender itself, under another name: proves nothing.
        ("Authentication-Results: mx.penipu.example; dmarc=pass header.from=example.com", "no"),
        (f"Authentication-Results: {TRUSTED}; dmarc=pass header.from=ample.com", "another"),
        (f"Authentication-Results: {TRUSTED}; ((( not a header", "no results"),
    ],
)
def test_mail_from_an_unproven_sender_is_dropped_unanswered(results, why):
    result = parse_checked(results)
    assert isinstance(result, Ignored)
    assert result.reason.startswith("sender not proven") and why in result.reason


def test_without_a_trusted_server_every_sender_is_believed():
    raw = b"From: warga@example.com\r\nSubject: x\r\n\r\nJalan rusak."
    assert not isinstance(parse_message(raw, mail_from="warga@example.com", own=OWN), Ignored)
