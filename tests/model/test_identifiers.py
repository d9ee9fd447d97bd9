"""Typed ids: each kind is its own type, validated once, never equal to another kind."""

from __future__ import annotations

import itertools
import random
import uuid

import msgspec
import pytest

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import (
    AccountId,
    ClientOrderId,
    InstrumentId,
    StrategyId,
    TradeId,
    Venue,
    VenueOrderId,
    formatted_id_maker,
    new_client_order_id,
)

STRING_IDS = [Venue, StrategyId, AccountId, VenueOrderId, TradeId]


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(STRING_IDS, 2)))
def test_when_two_id_kinds_share_text_then_they_are_not_equal(first, second):
    assert first("X-1") != second("X-1")
    assert len({first("X-1"), second("X-1")}) == 2


@pytest.mark.parametrize("kind", STRING_IDS)
def test_when_same_kind_and_text_then_equal_hashable_and_printable(kind):
    assert kind("X-1") == kind("X-1")
    assert hash(kind("X-1")) == hash(kind("X-1"))
    assert str(kind("X-1")) == "X-1"
    assert kind("X-1") != "X-1"


@pytest.mark.parametrize("kind", STRING_IDS)
def test_when_id_is_set_then_it_is_frozen(kind):
    with pytest.raises(AttributeError):
        kind("X-1").value = "Y"  # type: ignore[misc]


@pytest.mark.parametrize("kind", STRING_IDS)
@pytest.mark.parametrize("bad", ["", " X", "-X", "X Y", "X.Y", "é", 7, None])
def test_when_id_text_is_malformed_then_error_names_the_kind(kind, bad):
    with pytest.raises(InvalidInputError) as caught:
        kind(bad)
    assert caught.value.field == kind.__name__
    assert "pass a name such as" in caught.value.fix


@pytest.mark.parametrize("good", ["BTCUSDT", "sma-1", "a_b", "ES/Z24", "x:y", "0"])
def test_when_id_text_uses_allowed_characters_then_accepted(good):
    assert StrategyId(good).value == good


@pytest.mark.parametrize(
    ("text", "symbol", "venue"),
    [
        ("BTCUSDT.SIM", "BTCUSDT", "SIM"),
        ("ESZ4.CME", "ESZ4", "CME"),
        ("BRK.B.NYSE", "BRK.B", "NYSE"),
    ],
)
def test_instrument_id_parse_splits_on_the_last_dot(text, symbol, venue):
    parsed = InstrumentId.parse(text)
    assert parsed == InstrumentId(symbol, Venue(venue))
    assert str(parsed) == text


@pytest.mark.parametrize("text", ["BTCUSDT", ".SIM", "BTCUSDT.", "", "."])
def test_when_instrument_id_text_has_no_symbol_dot_venue_then_rejected(text):
    with pytest.raises(InvalidInputError, match=r"SYMBOL\.VENUE"):
        InstrumentId.parse(text)


@pytest.mark.parametrize(("text", "field"), [("BTC USDT.SIM", "symbol"), ("BTCUSDT.S M", "Venue")])
def test_when_instrument_id_parts_are_malformed_then_rejected(text, field):
    with pytest.raises(InvalidInputError, match=field):
        InstrumentId.parse(text)


def test_instrument_id_is_not_equal_to_its_text():
    assert InstrumentId.parse("X.SIM") != "X.SIM"


def test_client_order_id_accepts_a_canonical_uuid():
    text = str(uuid.UUID(int=42, version=4))
    assert str(ClientOrderId(text)) == text


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("not-a-uuid", "is not a UUID"),
        ("", "is not a UUID"),
        (None, "is not a UUID"),
        ("CD613E30-D8F1-4ADF-91B7-584A2265B1F5", "canonical"),
        ("cd613e30d8f14adf91b7584a2265b1f5", "canonical"),
        ("{cd613e30-d8f1-4adf-91b7-584a2265b1f5}", "canonical"),
    ],
)
def test_when_client_order_id_is_not_a_canonical_uuid_then_rejected(bad, problem):
    with pytest.raises(InvalidInputError, match=problem):
        ClientOrderId(bad)


def test_when_client_order_id_is_upper_case_then_fix_shows_the_canonical_form():
    with pytest.raises(InvalidInputError) as caught:
        ClientOrderId("CD613E30-D8F1-4ADF-91B7-584A2265B1F5")
    assert "cd613e30-d8f1-4adf-91b7-584a2265b1f5" in caught.value.fix


def test_when_rng_is_seeded_then_client_order_ids_repeat_run_to_run():
    first = [new_client_order_id(random.Random(2024)) for _ in range(3)]
    rng_a, rng_b = random.Random(5), random.Random(5)
    assert [new_client_order_id(rng_a) for _ in range(50)] == [
        new_client_order_id(rng_b) for _ in range(50)
    ]
    assert first[0] == first[1] == first[2]


def test_when_drawing_many_ids_from_one_rng_then_distinct_version_4_uuids():
    rng = random.Random(1)
    ids = [new_client_order_id(rng) for _ in range(1_000)]
    assert len(set(ids)) == 1_000
    assert {uuid.UUID(i.value).version for i in ids} == {4}


def test_ids_round_trip_through_msgspec():
    instrument_id = InstrumentId.parse("BRK.B.NYSE")
    encoded = msgspec.json.encode(instrument_id)
    assert msgspec.json.decode(encoded, type=InstrumentId) == instrument_id


def test_when_rng_is_seeded_then_client_order_ids_match_the_recorded_ones():
    # Recorded before the id path was optimised: the formatting must never change.
    rng = random.Random(2024)
    assert [new_client_order_id(rng).value for _ in range(3)] == [
        "940eee3c-ba6f-475c-ae84-496e7857dd86",
        "b938451e-e325-4aa6-b340-6bc44dc2a627",
        "c2354e2b-b774-4a63-81d8-fac168fb90d7",
    ]


def test_new_client_order_id_is_an_ordinary_checked_id():
    made = new_client_order_id(random.Random(3))
    assert type(made) is ClientOrderId
    assert made == ClientOrderId(made.value)
    assert hash(made) == hash(ClientOrderId(made.value))


@pytest.mark.parametrize("kind", [*STRING_IDS, ClientOrderId])
def test_when_engine_formats_an_id_then_it_equals_the_checked_one(kind):
    text = "00000000-0000-4000-8000-00000000002a" if kind is ClientOrderId else "V-42"
    make = formatted_id_maker(kind)
    made = make(text)
    assert type(made) is kind
    assert made == kind(text)
    assert hash(made) == hash(kind(text))
    assert str(made) == text
    assert msgspec.json.decode(msgspec.json.encode(made), type=kind) == made
    with pytest.raises(AttributeError):
        made.value = "Y"  # type: ignore[misc]


def test_ids_made_by_one_maker_are_distinct_objects():
    make = formatted_id_maker(TradeId)
    first, second = make("T-1"), make("T-2")
    assert first is not second
    assert (first.value, second.value) == ("T-1", "T-2")


@pytest.mark.parametrize("kind", [*STRING_IDS, ClientOrderId])
def test_ids_cache_their_hash_and_made_copies_do_not_share_it(kind):
    # Ids cache their hash (cache_hash=True); the fast makers copy a prototype, so a hash
    # cached on the prototype or on an earlier copy must never carry over to a new id.
    texts = (
        [f"00000000-0000-4000-8000-{n:012x}" for n in range(50)]
        if kind is ClientOrderId
        else [f"V-{n}" for n in range(50)]
    )
    make = formatted_id_maker(kind)
    made = []
    for text in texts:
        one = make(text)
        hash(one)  # cache it before the next copy is made
        made.append(one)
    assert [hash(m) for m in made] == [hash(kind(t)) for t in texts]
    table = {m: i for i, m in enumerate(made)}
    assert [table[kind(t)] for t in texts] == list(range(50))
    assert len({hash(m) for m in made}) == 50


def test_client_order_ids_drawn_in_a_row_hash_apart():
    rng = random.Random(11)
    ids = [new_client_order_id(rng) for _ in range(200)]
    assert len({hash(i) for i in ids}) == 200
    assert all(hash(i) == hash(ClientOrderId(i.value)) for i in ids)
