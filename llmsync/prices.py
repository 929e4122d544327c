"""Prices: parsing provider values, cleaning float artefacts, comparing, and writing YAML text.

LiteLLM reads config.yaml with PyYAML (YAML 1.1), whose float syntax needs a dot in the
mantissa: ``3e-06`` is a *string* there, ``3.0e-06`` a float. Every number llmsync writes goes
through :func:`format_float`, and every written file is re-read with PyYAML before it is saved.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

SIGNIFICANT_DIGITS = 12
FREE_COST = 1.0e-09

COST_FIELDS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
)


MIN_COST = 1e-12  # a non-zero price below this is an artefact (5e-324), not a price
DEFAULT_MAX_COST = 1e-3  # USD per token: $1,000 per million tokens; providers.yaml can raise it
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


class BadPrice(ValueError):
    """A catalogue price that must never be written: malformed, non-finite or out of bounds."""


def parse_price(
    raw: object, scale: Decimal | str | int | float = 1, max_cost: float = DEFAULT_MAX_COST
) -> float | None:
    """Return a clean USD-per-token float; None when the value is unknown; :class:`BadPrice`
    when it is there but cannot be trusted.

    Unknown means missing, null, not numeric at all (``"n/a"``) or negative (OpenRouter's
    ``"-1"`` marks a variable price). It is never turned into 0: a missing price must not reprice anything. Strings must
    be plain ASCII decimal or scientific notation: ``"1,5"`` (a decimal comma or a thousands
    separator?) and ``"١"`` (an Arabic-Indic digit) are refused, not guessed at.
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip().removeprefix("$")
        if not any(c.isdigit() for c in text):
            return None  # "", "n/a", "free?": no number given
        if not _PLAIN_NUMBER.fullmatch(text):
            raise BadPrice(f"price {raw!a} is not a plain number")
    elif not isinstance(raw, (int, float, Decimal)):
        return None  # a list or an object: not a price at all
    else:
        text = str(raw)
    try:
        value = Decimal(text) * Decimal(str(scale))
    except (InvalidOperation, ValueError):
        raise BadPrice(f"price {raw!a} is not a number") from None
    if not value.is_finite():
        raise BadPrice(f"price {raw!a} is not finite")
    if value < 0:
        return None
    if value > Decimal(str(max_cost)):
        raise BadPrice(
            f"price {format_float(float(min(value, Decimal('1e300'))))}/token is above "
            f"max_cost_per_token {max_cost:g}"
        )
    if 0 < value < Decimal(str(MIN_COST)):
        raise BadPrice(f"price {value:.3g}/token is below {MIN_COST:g} (not a real price)")
    return clean(value)


def finite_number(value: object) -> bool:
    """A number that can be compared and written (not .nan / .inf, not a bool)."""
    return is_number(value) and math.isfinite(value)  # type: ignore[arg-type]


def clean(value: Decimal | float) -> float:
    """Round to 12 significant digits so 0.2/1e6 is 2.0e-07, not 2.0000000000000002e-07."""
    return float(f"{Decimal(str(value)):.{SIGNIFICANT_DIGITS}g}")


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_number(value: object) -> float | None:
    """A config value as LiteLLM's pydantic model reads it: numbers and numeric strings."""
    if is_number(value):
        return float(value)  # type: ignore[arg-type]
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def costs_equal(old: object, new: float, rtol: float) -> bool:
    """Relative comparison; a value LiteLLM would not read as a number is never equal."""
    old = as_number(old)
    if old is None:
        return False
    if old == new:
        return True
    if old == 0 or new == 0:
        return False
    return math.isclose(old, new, rel_tol=rtol, abs_tol=0.0)


def is_free_value(value: object) -> bool:
    """0 and the free marker both mean "free" in a config; neither should churn into the other."""
    number = as_number(value)
    return number is not None and (number == 0 or math.isclose(number, FREE_COST, rel_tol=1e-9))


def delta_percent(old: object, new: float) -> float | None:
    number = as_number(old)
    if not number:
        return None
    return (new - number) / number * 100.0


def format_float(value: float, style: str = "exp") -> str:
    """YAML-1.1-safe text for a float: ``1.25e-06`` (exp style) or ``0.00000125`` (decimal style).

    ``repr`` gives the shortest text that round-trips; the exponent form gets a dot added to
    its mantissa when it lacks one.
    """
    if not math.isfinite(value):
        raise ValueError(f"cannot write non-finite price {value!r}")
    text = repr(float(value))
    if style == "decimal":
        plain = format(Decimal(text), "f")
        return plain if "." in plain else plain + ".0"
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        return f"{mantissa}e{exponent}"
    return text


def float_style_of(text: str) -> str:
    """The style of an existing number's text, so replacements and new entries match it."""
    return "exp" if "e" in text.lower() else "decimal"


def value_text(value: object) -> str:
    """A price for people: floats as written to YAML; a numeric *string* quoted, so it shows
    that LiteLLM's loader does not read it as a number."""
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, str) and as_number(value) is not None:
        return repr(value)
    return str(value)
