"""Whatever a signed caller puts in the fields, the webhooks answer 200 or 400, never a
500, and a message is either stored whole or not at all."""

import json

from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from aduan.channels.models import Message

from .conftest import post_generic

VALUES = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=3),
    st.sampled_from(["081350001111", "+6281350001111", "LAPOR jalan rusak parah sekali", ""]),
)


@hypothesis_settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.fixed_dictionaries(
        {}, optional={"id": VALUES, "from": VALUES, "text": VALUES, "sent_at": VALUES}
    )
)
def test_generic_inbound_never_fails(world, client, generic, payload):
    before = Message.objects.count()
    response = post_generic(client, payload)
    assert response.status_code in (200, 400), json.dumps(payload)
    if response.status_code == 400:
        assert Message.objects.count() == before


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=st.text(max_size=2000), subscriber=st.integers(10_000_000, 99_999_999))
def test_any_text_from_a_phone_is_answered_without_a_500(world, phone, text, subscriber):
    before = Message.objects.count()
    assert phone.send(text, number=f"+62813{subscriber}").status_code == 200
    assert Message.objects.count() == before + 1
