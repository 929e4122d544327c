from decimal import Decimal

import pytest
import yaml

from llmsync.prices import (
    BadPrice,
    clean,
    costs_equal,
    delta_percent,
    format_float,
    is_free_value,
    parse_price,
)


@pytest.mark.parametrize(
    ("raw", "scale", "expected"),
    [
        ("0.000003", 1, 3e-06),  # OpenRouter / Vercel / Poe: strings, USD per token
        (1.5e-07, 1, 1.5e-07),  # Requesty: numbers
        ("0.0000025", 1, 2.5e-06),  # Requesty sometimes sends strings
        (
            2690,
            "1e-10",
            2.69e-07,
        ),  # Novita: 0.0001 USD per 1M tokens; naive float gives 2.6900000000000004e-07
        (3900, "1e-10", 3.9e-07),
        (0.2, "1e-6", 2e-07),  # Nano-GPT: USD per 1M; naive 0.2/1e6 gives 2.0000000000000002e-07
        (2.5, "1e-6", 2.5e-06),
        ("0", 1, 0.0),
        (0, 1, 0.0),
        ("$1.50", "1e-6", 1.5e-06),
    ],
)
def test_parse_price_converts_units_to_clean_usd_per_token(raw, scale, expected):
    assert parse_price(raw, scale) == expected
    assert repr(parse_price(raw, scale)) == repr(expected)


@pytest.mark.parametrize("raw", [None, "-1", -1, "", "n/a", True, [1], {"a": 1}])
def test_unknown_prices_are_none_never_zero(raw):
    assert parse_price(raw) is None


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("1,5", "not a plain number"),  # a decimal comma, or a thousands separator?
        ("1,000.5", "not a plain number"),
        ("\u0661", "not a plain number"),  # an Arabic-Indic digit one
        ("\uff11e-6", "not a plain number"),  # a full-width digit
        ("1e400", "above max_cost_per_token"),
        (10**30, "above max_cost_per_token"),
        (0.002, "above max_cost_per_token"),
        (5e-324, "below 1e-12"),
        ("1e-15", "below 1e-12"),
        (float("nan"), "not finite"),
        (float("inf"), "not finite"),
        (float("-inf"), "not finite"),
        ("inf", "not finite"),  # a word, yet no unknown: README promises NaN/Infinity refused
        ("-Infinity", "not finite"),
        ("1e999999999", "above max_cost_per_token"),  # decimal.Overflow once scaled
        ("1e-999999999", "below 1e-12"),  # would underflow to 0: a free model
        ("1e99999999999999999999", "out of range"),  # decimal cannot even hold it
        pytest.param(10**5000, "above max_cost_per_token", id="10**5000"),  # no str(int)
        pytest.param("9" * 5000, "above max_cost_per_token", id="5000 nines"),
    ],
)
def test_untrusted_prices_are_refused_with_a_reason(raw, why):
    with pytest.raises(BadPrice, match=why):
        parse_price(raw)


def test_a_long_bad_price_is_shown_cut_short():
    with pytest.raises(BadPrice) as caught:
        parse_price("1," + "0" * 10_000)
    assert len(str(caught.value)) < 100 and "..." in str(caught.value)


def test_the_price_bound_is_configurable_and_zero_is_a_price():
    assert parse_price("0.002", max_cost=0.01) == 0.002
    assert parse_price(0) == 0.0 and parse_price("1e-12") == 1e-12


def test_clean_removes_float_artefacts():
    assert clean(0.2 / 1e6) == 2e-07
    assert clean(Decimal("0.1") + Decimal("0.2")) == 0.3


@pytest.mark.parametrize("mantissa", [1, 2, 3, 1.25, 2.5, 3.75, 7.5, 1.14, 9.999])
@pytest.mark.parametrize("exponent", [-12, -10, -9, -7, -6, -5, -3, 0, 2])
def test_written_floats_read_back_as_the_same_float_with_pyyaml(mantissa, exponent):
    value = clean(Decimal(str(mantissa)) * Decimal(10) ** exponent)
    for style in ("exp", "decimal"):
        text = format_float(value, style)
        loaded = yaml.safe_load(f"x: {text}")["x"]
        assert isinstance(loaded, float), (text, loaded)
        assert loaded == value


def test_format_float_adds_the_dot_pyyaml_needs():
    assert format_float(3e-06) == "3.0e-06"
    assert format_float(1e-09) == "1.0e-09"
    assert format_float(1.25e-06) == "1.25e-06"
    assert format_float(0.5) == "0.5"
    assert format_float(2e-07, "decimal") == "0.0000002"
    assert isinstance(yaml.safe_load("x: 3e-06")["x"], str)  # the trap this avoids


def test_costs_equal_tolerance_edges():
    base = 1e-06
    assert costs_equal(base, base, 0)
    assert not costs_equal(base, base * (1 + 1e-12), 0)  # rtol 0 compares exactly
    assert costs_equal(base, base * (1 + 5e-10), 1e-9)
    assert not costs_equal(base, base * (1 + 2e-9), 1e-9)
    assert costs_equal(base, base * 1.04, 0.05)
    assert not costs_equal(base, base * 1.06, 0.05)
    assert costs_equal(0, 0.0, 1e-9)
    assert not costs_equal(0, 1e-12, 0.5)  # zero only equals zero
    assert costs_equal("3e-06", 3e-06, 1e-9)  # a numeric string LiteLLM coerces
    assert not costs_equal("abc", 3e-06, 1e-9)
    assert not costs_equal(None, 3e-06, 1e-9)


def test_free_values_and_delta():
    assert is_free_value(0) and is_free_value(1e-09) and is_free_value("1.0e-09")
    assert not is_free_value(2e-09)
    assert delta_percent(2e-06, 3e-06) == pytest.approx(50.0)
    assert delta_percent(0, 3e-06) is None
