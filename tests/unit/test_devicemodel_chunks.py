"""Splitting requests by a station's ItemsPerMessage / BytesPerMessage, and report part bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chargebridge.devicemodel.chunks import (
    Limits,
    TooLarge,
    frame_bytes,
    is_complete,
    missing_parts,
    parse_limit,
    split,
)
from chargebridge.rpc.frames import encode_call


def size(chunk: Sequence[str]) -> int:
    return 10 + sum(len(item) for item in chunk)


@given(
    st.lists(st.text(min_size=1, max_size=20), max_size=40),
    st.one_of(st.none(), st.integers(1, 6)),
    st.one_of(st.none(), st.integers(30, 80)),
)
def test_split_keeps_order_respects_both_limits_and_fills_each_message(
    items: list[str], max_items: int | None, max_bytes: int | None
) -> None:
    limits = Limits(max_items, max_bytes)
    chunks = split(items, limits, size)
    assert [item for chunk in chunks for item in chunk] == items
    assert all(chunks)
    for index, chunk in enumerate(chunks):
        assert max_items is None or len(chunk) <= max_items
        assert max_bytes is None or size(chunk) <= max_bytes
        if index + 1 < len(chunks):  # greedy: the next item did not fit
            grown = [*chunk, chunks[index + 1][0]]
            assert (max_items is not None and len(grown) > max_items) or (
                max_bytes is not None and size(grown) > max_bytes
            )


def test_one_item_larger_than_a_message_is_refused() -> None:
    with pytest.raises(TooLarge) as info:
        split(["ok", "x" * 100, "ok"], Limits(bytes=50), size)
    assert info.value.index == 1 and info.value.limit == 50
    assert split([], Limits(1, 1), size) == []


def test_frame_bytes_counts_the_longest_message_id_and_utf8() -> None:
    payload = {"k": "é"}
    assert frame_bytes("A", payload) == len(encode_call("m" * 36, "A", payload).encode("utf-8"))
    assert frame_bytes("A", payload) == len(encode_call("m" * 36, "A", {"k": "e"})) + 1


@pytest.mark.parametrize(
    ("text", "limit"), [("5", 5), (" 12 ", 12), ("0", None), ("-3", None), ("x", None), (None, None)]
)
def test_parse_limit(text: str | None, limit: int | None) -> None:
    assert parse_limit(text) == limit


def test_parts_complete_in_any_order() -> None:
    assert missing_parts([2, 0], 2) == [1] and not is_complete([2, 0], 2)
    assert missing_parts([1], None) == [0] and not is_complete([0, 1], None)
    assert is_complete([1, 2, 0], 2) and missing_parts([1, 2, 0], 2) == []
    assert is_complete([0], 0)
