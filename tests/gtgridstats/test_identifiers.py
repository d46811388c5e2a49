"""Property tests: whatever a user types, validation either refuses it or yields a safe path segment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.gtgridstats.client import identifier_list, segment
from bot.gtgridstats.errors import InvalidIdentifierError
from bot.gtgridstats.identifiers import (
    PSN_ID_PATTERN,
    chunked,
    validate_car_class,
    validate_car_identifier,
    validate_locale,
    validate_psn_id,
)
from bot.services.driver_refs import parse_driver_list
from bot.ui.errors import describe_error

ANY_TEXT = st.text(max_size=250)
SEPARATORS = ("/", "?", "#", "\\", " ", "%2f", "..")


@given(ANY_TEXT)
def test_psn_ids_are_valid_or_refused(value: str) -> None:
    try:
        result = validate_psn_id(value)
    except InvalidIdentifierError as error:
        assert len(describe_error(error)[0]) < 200
        return
    assert PSN_ID_PATTERN.fullmatch(result)
    for separator in SEPARATORS:
        assert separator not in segment(result).lower()


@given(ANY_TEXT)
def test_any_text_becomes_one_opaque_segment(value: str) -> None:
    encoded = segment(value)
    for character in "/?#., \\":
        assert character not in encoded
    assert "," not in identifier_list([value])


@pytest.mark.parametrize("validate", [validate_car_identifier, validate_locale, validate_car_class])
@given(value=ANY_TEXT)
def test_other_identifiers_are_safe_or_refused(validate: object, value: str) -> None:
    assert callable(validate)
    try:
        result = validate(value)
    except InvalidIdentifierError:
        return
    assert isinstance(result, str)
    assert result.isascii()
    assert result.isalnum()


@given(ANY_TEXT)
def test_driver_lists_parse_or_explain(text: str) -> None:
    try:
        refs = parse_driver_list(text)
    except UserError as error:
        message = describe_error(error)[0]
        assert message
        assert len(message) < 2_000
        return
    assert 1 <= len(refs) <= 16
    for ref in refs:
        assert ref.member_id is not None or (ref.psn_id and PSN_ID_PATTERN.fullmatch(ref.psn_id))


@given(st.lists(st.integers(), max_size=100), st.integers(min_value=1, max_value=20))
def test_chunked_keeps_order_and_bounds(items: list[int], size: int) -> None:
    chunks = list(chunked(items, size))
    assert [item for chunk in chunks for item in chunk] == items
    assert all(1 <= len(chunk) <= size for chunk in chunks)


def test_driver_list_names_each_offending_entry() -> None:
    with pytest.raises(UserError) as caught:
        parse_driver_list("good_one ../x a/b good_one 🏎️ ab")
    message = describe_error(caught.value)[0]
    for shown in ("`../x`", "`a/b`", "`good_one` is listed twice", "`🏎️`", "`ab`"):
        assert shown in message


def test_a_long_list_of_mistakes_still_fits_one_message() -> None:
    with pytest.raises(UserError) as caught:
        parse_driver_list(" ".join(f"bad/{number}" for number in range(200)))
    message = describe_error(caught.value)[0]
    assert len(message) < 2_000
    assert "…and 190 more" in message


@pytest.mark.parametrize("value", ["١٥٤٤", "car١٥٤٤", "１５４４", "car𝟏𝟓𝟒𝟒", "߁߅߄߄"])
def test_only_ascii_digits_make_a_car_identifier(value: str) -> None:
    with pytest.raises(InvalidIdentifierError):
        validate_car_identifier(value)
    assert validate_car_identifier("car1544") == "car1544"
