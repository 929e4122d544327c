"""Prices and limits: parsing provider values, cleaning float artefacts, comparing, and writing
YAML text.

Every catalogue value llmsync may write goes through :func:`parse_price` or :func:`parse_limit`,
which return the value, None (unknown: nothing to write) or raise :class:`BadValue` with a
one-line reason (held back and said, never written). One bad value costs one field of one model.

LiteLLM reads config.yaml with PyYAML (YAML 1.1), whose float syntax needs a dot in the
mantissa: ``3e-06`` is a *string* there, ``3.0e-06`` a float. Every number llmsync writes goes
through :func:`format_float`, and every written file is re-read with PyYAML before it is saved.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

SIGNIFICANT_DIGITS = 12
FREE_COST = 1.0e-09

COST_FIELDS = (
    "input_cost_per_token",
    "output_cost_per_token",
    "cache_read_input_token_cost",
    "cache_creation_input_token_cost",
)
# LiteLLM's long-context tiers and per-request price: written and kept true like the others
# where a listing or a book states them (Gemini 2.5 Pro bills more above 200k tokens).
TIER_FIELDS = (
    "input_cost_per_token_above_128k_tokens",
    "output_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_200k_tokens",
    "output_cost_per_token_above_200k_tokens",
    "cache_read_input_token_cost_above_200k_tokens",
    "cache_creation_input_token_cost_above_200k_tokens",
    "input_cost_per_request",
)
PRICE_FIELDS = COST_FIELDS + TIER_FIELDS  # every cost field llmsync manages


MIN_COST = 1e-12  # a non-zero price below this is an artefact (5e-324), not a price
DEFAULT_MAX_COST = 1e-3  # USD per token: $1,000 per million tokens; providers.yaml can raise it
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)
_PLAIN_WHOLE = re.compile(r"[0-9]+", re.ASCII)
_EXPONENT_BOUND = 300  # 1e±300 and beyond is no price: refused before any arithmetic

LIMIT_FIELDS = ("max_input_tokens", "max_output_tokens")
# The largest context any model offers is ~10M tokens (Llama 4 Scout); ten times that is still
# believable, anything above is a unit mix-up (bytes, characters) or garbage.
MAX_LIMIT = 100_000_000


class BadValue(ValueError):
    """A catalogue value that must never be written; the message says why, in one line."""


class BadPrice(BadValue):
    """A catalogue price that must never be written: malformed, non-finite or out of bounds."""


class BadLimit(BadValue):
    """A token limit that must never be written: not a plain whole number, or out of bounds."""


def parse_price(
    raw: object, scale: Decimal | str | int | float = 1, max_cost: float = DEFAULT_MAX_COST
) -> float | None:
    """Return a clean USD-per-token float; None when the value is unknown; :class:`BadPrice`
    when it is there but cannot be trusted.

    Unknown means missing, null, not numeric at all (``"n/a"``) or negative (OpenRouter's
    ``"-1"`` marks a variable price). It is never turned into 0: a missing price must not
    reprice anything. Strings must be plain ASCII decimal or scientific notation: ``"1,5"`` (a
    decimal comma or a thousands separator?) and ``"١"`` (an Arabic-Indic digit) are refused,
    not guessed at; so are ``NaN`` and infinities, in any spelling, and magnitudes no price has
    (``"1e999999999"``).
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        text = raw.strip().removeprefix("$")
        if _NON_FINITE.fullmatch(text):  # "NaN", "Infinity", "-inf": not a price, and not unknown
            raise BadPrice(f"price {quoted(raw)} is not finite")
        if not any(c.isdigit() for c in text):
            return None  # "", "n/a", "free?": no number given
        if not _PLAIN_NUMBER.fullmatch(text):
            raise BadPrice(f"price {quoted(raw)} is not a plain number")
        try:
            number = Decimal(text)
        except ArithmeticError:  # decimal.InvalidOperation: an exponent beyond decimal's range
            raise BadPrice(f"price {quoted(raw)} is out of range") from None
    elif isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int):
        number = Decimal(raw)  # exact, and no int-to-text digit limit
    elif isinstance(raw, float):
        number = Decimal(repr(raw))  # the shortest text: 1.5e-07, not its binary expansion
    else:
        return None  # a list or an object: not a price at all
    shown = quoted(raw) if isinstance(raw, str) else _number_text(number)
    if not number.is_finite():
        raise BadPrice(f"price {shown} is not finite")
    if number < 0:
        return None
    # Bounded before any arithmetic: "1e999999999" overflows decimal's context (decimal.Overflow)
    # and "1e-999999999" would underflow to 0, a free model.
    if number and number.adjusted() > _EXPONENT_BOUND:
        raise BadPrice(f"price {shown} is above max_cost_per_token {max_cost:g}")
    if number and number.adjusted() < -_EXPONENT_BOUND:
        raise BadPrice(f"price {shown} is below {MIN_COST:g} (not a real price)")
    value = number * Decimal(str(scale))
    if value > Decimal(str(max_cost)):
        raise BadPrice(
            f"price {format_float(float(value))}/token is above max_cost_per_token {max_cost:g}"
        )
    if 0 < value < Decimal(str(MIN_COST)):
        raise BadPrice(f"price {value:.3g}/token is below {MIN_COST:g} (not a real price)")
    return clean(value)


def parse_limit(raw: object) -> int | None:
    """A token limit (``max_input_tokens``, ``max_output_tokens``) as a whole number; None when
    unknown; :class:`BadLimit` when it is there but cannot be trusted.

    Unknown means missing, null, a list or an object, or text with no digit at all (``"n/a"``).
    Refused: 0, negatives, fractions, booleans, NaN and infinities, text that is not plain ASCII
    digits (``"²"`` and ``"١٢"`` are digits to ``str.isdigit`` but not to ``int``), and anything
    above :data:`MAX_LIMIT`. Integral floats (``2000000.0`` in LiteLLM's cost map) and digit
    strings (Cloudflare's ``"131072"``) are read.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise BadLimit(f"limit {raw} is not a number")
    if isinstance(raw, str):
        text = raw.strip()
        if _NON_FINITE.fullmatch(text):
            raise BadLimit(f"limit {quoted(raw)} is not finite")
        if not any(c.isdigit() for c in text):
            return None
        if not _PLAIN_WHOLE.fullmatch(text):
            raise BadLimit(f"limit {quoted(raw)} is not a plain whole number")
        if len(text.lstrip("0")) > len(str(MAX_LIMIT)):  # never int() of thousands of digits
            raise BadLimit(f"limit {quoted(raw)} is above {MAX_LIMIT:,} tokens")
        value: int | float | Decimal = int(text)
    elif isinstance(raw, (int, float, Decimal)):
        value = raw
    else:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise BadLimit(f"limit {value} is not finite")
    if isinstance(value, Decimal) and not value.is_finite():
        raise BadLimit(f"limit {value} is not finite")
    if value <= 0:
        raise BadLimit(f"limit {_number_text(value)} is not positive")
    if value > MAX_LIMIT:
        raise BadLimit(f"limit {_number_text(value)} is above {MAX_LIMIT:,} tokens")
    if value != int(value):
        raise BadLimit(f"limit {_number_text(value)} is not a whole number")
    return int(value)


def quoted(text: str, limit: int = 40) -> str:
    """A catalogue string for a message: ASCII-escaped, and cut short if long."""
    if len(text) <= limit:
        return ascii(text)
    return ascii(text[:limit])[:-1] + "..." + ascii(text)[-1]


def _number_text(value: int | float | Decimal) -> str:
    """A number for a message, short even when it has thousands of digits."""
    if isinstance(value, float):
        return repr(value)
    number = Decimal(value)
    if not number.is_finite() or abs(number) < Decimal(10) ** 15:
        return str(value)
    mantissa, exponent = f"{number:.2e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"  # 1e+40, 1.23e+5000


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
