"""Signed requests between nodes: only the paired peer's key, only once, only fresh."""

import time

import pytest
from django.test import RequestFactory

from aduan.federation import keys, signing
from aduan.federation.models import SeenNonce

from .helpers import as_node, make_peer


def signed_request(
    tmp_path, *, sender="KTM", receiver="PST", body=b'{"a":1}', path="/federation/v1/events"
):
    with as_node(sender, tmp_path):
        headers = signing.request_headers("POST", path, body, receiver)
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return RequestFactory().post(path, data=body, content_type="application/json", **meta), headers


def test_a_request_signed_by_the_paired_peer_is_accepted_once(db, tmp_path):
    peer = make_peer("KTM", tmp_path)
    request, headers = signed_request(tmp_path)
    with as_node("PST", tmp_path):
        assert signing.verify_request(request) == peer
        assert SeenNonce.objects.filter(node="KTM", nonce=headers[signing.NONCE]).exists()
        again, _ = signed_request(tmp_path)
        again.META["HTTP_X_ADUAN_NONCE"] = headers[signing.NONCE]
        again.META["HTTP_X_ADUAN_SIGNATURE"] = headers[signing.SIGNATURE]
        again.META["HTTP_X_ADUAN_TIMESTAMP"] = headers[signing.TIMESTAMP]
        with pytest.raises(signing.SignatureError) as error:
            signing.verify_request(again)
    assert error.value.code == "replay"


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (lambda r: r.META.__setitem__("HTTP_X_ADUAN_FROM", "PSR"), "unknown_peer"),
        (lambda r: r.META.__setitem__("HTTP_X_ADUAN_TO", "XYZ"), "wrong_receiver"),
        (
            lambda r: r.META.__setitem__("HTTP_X_ADUAN_TIMESTAMP", str(int(time.time()) - 3600)),
            "stale",
        ),
        (lambda r: setattr(r, "_body", b'{"a":2}'), "bad_signature"),
        (lambda r: r.META.pop("HTTP_X_ADUAN_SIGNATURE"), "unsigned"),
    ],
    ids=["unknown sender", "other receiver", "old timestamp", "changed body", "no signature"],
)
def test_a_request_that_is_not_exactly_what_the_peer_signed_is_refused(db, tmp_path, tamper, code):
    make_peer("KTM", tmp_path)
    request, _ = signed_request(tmp_path)
    tamper(request)
    with as_node("PST", tmp_path), pytest.raises(signing.SignatureError) as error:
        signing.verify_request(request)
    assert error.value.code == code


def test_a_request_signed_with_another_key_is_refused(db, tmp_path):
    make_peer("KTM", tmp_path)
    request, _ = signed_request(tmp_path, sender="PSR")
    request.META["HTTP_X_ADUAN_FROM"] = "KTM"
    with as_node("PST", tmp_path), pytest.raises(signing.SignatureError) as error:
        signing.verify_request(request)
    assert error.value.code == "bad_signature"


def test_answers_are_bound_to_the_request_and_the_peer(db, tmp_path):
    from django.http import JsonResponse

    with as_node("KTM", tmp_path):
        answer = signing.sign_response(JsonResponse({"position": 7}), "nonce-1")
    peer = make_peer("KTM", tmp_path)
    signing.verify_response(peer, 200, "nonce-1", answer.content, answer)
    with pytest.raises(signing.SignatureError):
        signing.verify_response(peer, 200, "nonce-2", answer.content, answer)
    with pytest.raises(signing.SignatureError):
        signing.verify_response(peer, 200, "nonce-1", b'{"position": 9}', answer)


def test_fingerprints_are_stable_and_readable(tmp_path):
    with as_node("KTM", tmp_path):
        public = keys.public_key_b64()
        printed = keys.own_fingerprint()
    assert printed == keys.fingerprint(public)
    assert len(printed.split()) == 10 and all(len(group) == 4 for group in printed.split())
