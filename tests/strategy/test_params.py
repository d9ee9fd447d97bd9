"""Strategy parameters: typed class attributes with defaults, converted from text, checked."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

import pytest

from ironkeel import Param, Strategy
from ironkeel.model import InvalidInputError
from ironkeel.strategy import ParamSpec


class Tuned(Strategy):
    fast: int = Param(10, ge=1, le=100, doc="fast period")
    slow: int = 30
    size: Decimal = Decimal("0.5")
    ratio: float = 0.25
    mode: str = Param("trend", choices=("trend", "revert"))
    hedge: bool = False
    counter: ClassVar[int] = 0  # a class variable, not a parameter
    _private: int = 3  # private: not a parameter
    note: str  # no default: not a parameter


def test_when_no_params_are_given_then_every_parameter_has_its_default() -> None:
    strategy = Tuned()

    assert strategy.params == {
        "fast": 10,
        "slow": 30,
        "size": Decimal("0.5"),
        "ratio": 0.25,
        "mode": "trend",
        "hedge": False,
    }
    assert (strategy.fast, strategy.size, strategy.mode) == (10, Decimal("0.5"), "trend")


def test_when_the_class_is_defined_then_its_specs_carry_type_default_and_limits() -> None:
    spec = Tuned.param_specs["fast"]

    assert set(Tuned.param_specs) == {"fast", "slow", "size", "ratio", "mode", "hedge"}
    assert (spec.type, spec.default, spec.ge, spec.le, spec.doc) == (int, 10, 1, 100, "fast period")
    assert Tuned.param_specs["size"].type is Decimal


def test_when_values_come_as_text_then_they_are_converted_to_the_declared_types() -> None:
    strategy = Tuned(
        {"fast": " 12 ", "size": "0.125", "ratio": "1e-3", "mode": "revert", "hedge": "yes"}
    )

    assert strategy.fast == 12
    assert strategy.size == Decimal("0.125")
    assert isinstance(strategy.size, Decimal)
    assert strategy.ratio == 0.001
    assert strategy.mode == "revert"
    assert strategy.hedge is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("1", True), ("on", True), ("False", False), ("0", False), ("no", False)],
)
def test_when_a_bool_comes_as_text_then_the_usual_spellings_are_understood(
    text: str, expected: bool
) -> None:
    assert Tuned({"hedge": text}).hedge is expected


def test_when_an_int_is_given_for_a_decimal_or_a_float_then_it_is_widened_exactly() -> None:
    strategy = Tuned({"size": 2, "ratio": 1})

    assert strategy.size == Decimal(2)
    assert isinstance(strategy.size, Decimal)
    assert isinstance(strategy.ratio, float)


@pytest.mark.parametrize(("value", "problem"), [(0, "below the minimum 1"), ("101", "above")])
def test_when_a_value_is_out_of_bounds_then_the_error_names_the_field_and_the_limit(
    value: object, problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem) as caught:
        Tuned({"fast": value})

    assert caught.value.field == "Tuned.fast"


def test_when_a_value_is_not_an_allowed_choice_then_the_error_lists_the_choices() -> None:
    with pytest.raises(InvalidInputError, match="not one of the allowed values") as caught:
        Tuned({"mode": "momentum"})

    assert "('trend', 'revert')" in caught.value.fix


def test_when_a_parameter_name_is_mistyped_then_the_error_suggests_the_closest() -> None:
    with pytest.raises(InvalidInputError, match="did you mean 'fast'") as caught:
        Tuned({"fsat": 3})

    assert caught.value.value == "fsat"
    assert "Tuned" in caught.value.field


def test_when_a_name_is_far_from_every_parameter_then_the_error_lists_the_valid_ones() -> None:
    with pytest.raises(InvalidInputError, match="valid: ") as caught:
        Tuned({"zzzzzz": 1})

    assert "'hedge'" in caught.value.fix


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("fast", "ten", "not a valid int"),
        ("fast", "1.5", "not a valid int"),
        ("fast", 1.5, "is a float, not int"),
        ("fast", True, "is a bool, not int"),
        ("size", "abc", "not a valid Decimal"),
        ("size", "NaN", "not a valid Decimal"),
        ("ratio", "fast", "not a valid float"),
        ("hedge", "maybe", "not a valid bool"),
        ("hedge", 1, "is a int, not bool"),
        ("mode", 3, "is a int, not str"),
    ],
)
def test_when_a_value_has_the_wrong_type_then_the_error_says_which_type_is_expected(
    name: str, value: object, problem: str
) -> None:
    with pytest.raises(InvalidInputError, match=problem) as caught:
        Tuned({name: value})

    assert caught.value.field == f"Tuned.{name}"


def test_when_a_subclass_overrides_a_default_then_it_keeps_the_inherited_parameters() -> None:
    class Faster(Tuned):
        fast: int = Param(5, ge=1)
        extra: int = 7

    strategy = Faster({"slow": "40"})

    assert (strategy.fast, strategy.slow, strategy.extra) == (5, 40, 7)
    assert Tuned().fast == 10


def test_when_a_parameter_has_an_unsupported_annotation_then_defining_the_class_fails() -> None:
    with pytest.raises(InvalidInputError, match="not a supported parameter type") as caught:

        class Bad(Strategy):
            windows: list[int] = [1, 2]  # noqa: RUF012 - the unsupported parameter under test

    assert caught.value.field == "Bad.windows"
    assert "int, float, Decimal, str or bool" in caught.value.fix


def test_when_a_default_breaks_its_own_bounds_then_defining_the_class_fails() -> None:
    with pytest.raises(InvalidInputError, match="below the minimum 1"):

        class Bad(Strategy):
            fast: int = Param(0, ge=1)


def test_when_a_strategy_declares_nothing_then_params_are_empty_and_names_are_refused() -> None:
    class Plain(Strategy):
        pass

    assert Plain().params == {}
    with pytest.raises(InvalidInputError, match="valid: none"):
        Plain({"fast": 1})


def test_when_a_decimal_parameter_comes_as_a_float_then_its_written_form_is_kept() -> None:
    # A TOML run file gives 0.1 as a float: the Decimal is what was written (0.1).
    spec = ParamSpec("size", Decimal, Decimal(1))
    assert spec.convert(0.1, "S") == Decimal("0.1")
