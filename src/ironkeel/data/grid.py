"""Exact conversion of a column of prices or sizes to int steps of a grid (ticks, lots).

Never through float arithmetic on the value:

- decimal strings (``"46319.0"``, ``"-0.00002853"``) are split into integer and
  fraction digits and assembled as an int64 count of ``10**-scale`` units
  (vectorised, Arrow string kernels), then divided by the step exactly;
  anything else (``"1e-05"``, ``"2.5E3"``) goes through ``Decimal`` row by row;
- floats (Parquet ``double`` columns) are accepted when the float is the float
  nearest to a grid point, as ``Instrument.ticks`` accepts them: for a step
  ``m * 10**-k`` the float nearest to ``n`` steps is ``float(n * m) / 10**k``
  (exact: one correctly rounded IEEE division, while ``|n * m| < 2**53``).
  A float up to ``float_ulps`` units in the last place from that float (the
  noise of float arithmetic upstream, ``0.031035000000000004``) is read as the
  grid point too, if that cannot be confused with a neighbouring grid point;
  the count is returned (``snapped``) for the report. Other rows fall back
  to ``Decimal(repr(x))``, exactly;
- integer and decimal columns are converted exactly.

Each row gets a code: ``OK``, ``EMPTY``, ``NAN``, ``NOT_NUMBER``, ``OFF_GRID``
(``floor`` then holds the grid point just below, in steps) or ``TOO_LARGE``.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Final, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

__all__ = [
    "EMPTY",
    "NAN",
    "NOT_NUMBER",
    "OFF_GRID",
    "OK",
    "TOO_LARGE",
    "Grid",
    "cell_text",
    "to_grid",
]

OK: Final = 0
EMPTY: Final = 1
NAN: Final = 2
NOT_NUMBER: Final = 3
OFF_GRID: Final = 4
TOO_LARGE: Final = 5

_PLAIN = r"^(?P<sign>[+-]?)(?P<int>\d*)(?:\.(?P<frac>\d*))?$"
_NAN_WORDS = r"^(nan|na|n/a|null|none)$"
_INT64_DIGITS: Final = 18  # every 18-digit number fits an int64
_INT64_MAX: Final = np.iinfo(np.int64).max
_EXACT = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    rounding=decimal.ROUND_FLOOR,
)


class Grid(NamedTuple):
    """A column on a grid: ``units`` (steps; 0 unless OK), a ``code`` per row, for
    OFF_GRID rows ``floor`` (the grid point just below the value, in steps), and how
    many floats were ``snapped``: read as a grid point a few ULPs away."""

    units: NDArray[np.int64]
    code: NDArray[np.int8]
    floor: NDArray[np.int64]
    snapped: int = 0


def cell_text(array: pa.Array, i: int) -> str:
    """The value of one cell as it would be written: floats by ``repr``, null as ''."""
    value = array[i].as_py()
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def _scale(step: Decimal) -> tuple[int, int]:
    """``step == unit * 10**-scale`` with ints ``unit`` and ``scale >= 0``."""
    exponent = step.as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    return int(step.scaleb(scale)), scale


def to_grid(column: pa.ChunkedArray | pa.Array, step: Decimal, *, float_ulps: int = 0) -> Grid:
    """Convert one column to steps of ``step``; see the module docstring."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    kind = array.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _from_strings(array.cast(pa.string()), step)
    if pa.types.is_decimal(kind):
        return _from_strings(array.cast(pa.string()), step)
    if pa.types.is_floating(kind):
        return _from_floats(array, step, float_ulps)
    if pa.types.is_integer(kind):
        return _from_ints(array, step)
    n = len(array)
    code = np.full(n, NOT_NUMBER, np.int8)
    code[np.asarray(array.is_null().to_numpy(zero_copy_only=False), bool)] = EMPTY
    return Grid(np.zeros(n, np.int64), code, np.zeros(n, np.int64))


def _bools(mask: pa.Array | pa.ChunkedArray, missing: bool = False) -> NDArray[np.bool_]:
    return np.asarray(pc.fill_null(mask, missing).to_numpy(zero_copy_only=False), dtype=bool)


def _decimal_fast_path(array: pa.Array, unit: int, scale: int) -> Grid | None:
    """Arrow's exact string -> decimal128 cast, read as int64: the common case, ~10x
    faster than the general path. None if any value does not cast or fit."""
    try:
        decimals = pc.cast(array, pa.decimal128(38, scale))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    words = np.frombuffer(decimals.buffers()[1], dtype=np.int64).reshape(-1, 2)
    words = words[decimals.offset : decimals.offset + len(decimals)]
    raw, high = words[:, 0].copy(), words[:, 1]
    present = np.asarray(decimals.is_valid().to_numpy(zero_copy_only=False), bool)
    if not (high[present] == (raw[present] >> 63)).all():  # some value needs > 64 bits
        return None
    n = len(raw)
    code = np.where(present, OK, EMPTY).astype(np.int8)
    units = np.where(present, raw // unit, 0)
    floor = np.zeros(n, np.int64)
    off = np.flatnonzero(present & (raw % unit != 0))
    code[off] = OFF_GRID
    floor[off] = units[off]
    units[off] = 0
    return Grid(units.astype(np.int64), code, floor)


def _from_strings(array: pa.Array, step: Decimal) -> Grid:
    unit, scale = _scale(step)
    fast = _decimal_fast_path(array, unit, scale)
    if fast is not None:
        return fast
    n = len(array)
    text = pc.utf8_trim_whitespace(array)
    code = np.zeros(n, np.int8)
    code[_bools(pc.equal(pc.utf8_length(text), 0), missing=True)] = EMPTY
    code[_bools(pc.match_substring_regex(text, _NAN_WORDS, ignore_case=True))] = NAN
    parts = pc.extract_regex(text, _PLAIN)
    whole = pc.utf8_ltrim(pc.struct_field(parts, "int"), "0")
    fraction = pc.struct_field(parts, "frac")
    has_digits = pc.greater(
        pc.add(pc.utf8_length(pc.struct_field(parts, "int")), pc.utf8_length(fraction)), 0
    )
    plain = _bools(pc.and_(pc.is_valid(parts), has_digits)) & (code == OK)
    fits = _bools(pc.less_equal(pc.utf8_length(whole), _INT64_DIGITS - scale))
    tail_zero = _bools(pc.match_substring_regex(pc.utf8_slice_codeunits(fraction, scale), "^0*$"))
    usable = plain & fits & tail_zero
    head = pc.utf8_rpad(pc.utf8_slice_codeunits(fraction, 0, scale), scale, "0")
    digits = pc.binary_join_element_wise(whole, head, "")
    valid = pc.and_(pc.is_valid(digits), pa.array(usable))
    digits = pc.if_else(valid, pc.if_else(pc.equal(pc.utf8_length(digits), 0), "0", digits), "0")
    raw = pc.cast(digits, pa.int64()).to_numpy().astype(np.int64, copy=True)
    negative = _bools(pc.equal(pc.struct_field(parts, "sign"), "-"))
    raw = np.where(negative, -raw, raw)
    units = raw // unit
    on_grid = usable & (raw % unit == 0)
    units[~on_grid] = 0
    floor = np.zeros(n, np.int64)
    slow = np.flatnonzero((code == OK) & ~on_grid)
    if len(slow):
        texts = text.take(pa.array(slow)).to_pylist()
        for i, value in zip(slow.tolist(), texts, strict=True):
            code[i], units[i], floor[i] = _exact(value, step)
    return Grid(units, code, floor)


def _from_floats(array: pa.Array, step: Decimal, ulps: int) -> Grid:
    unit, scale = _scale(step)
    values = np.asarray(array.to_numpy(zero_copy_only=False), dtype=np.float64)
    n = len(values)
    code = np.zeros(n, np.int8)
    code[np.asarray(array.is_null().to_numpy(zero_copy_only=False), bool)] = EMPTY
    code[np.isnan(values) & (code == OK)] = NAN
    finite = np.isfinite(values)
    code[~finite & (code == OK)] = NOT_NUMBER
    with np.errstate(invalid="ignore", over="ignore"):
        steps = np.rint(np.where(finite, values, 0.0) / float(step))
        product = steps * unit
        exact = np.abs(product) < 2.0**53
        # The float nearest to the grid point ``steps``: one correctly rounded division.
        nearest = product / 10.0**scale if scale <= 22 else np.full(n, np.nan)
    distance = np.abs(values.view(np.int64) - nearest.view(np.int64))  # in units in the last place
    same_sign = np.signbit(values) == np.signbit(nearest)
    unambiguous = np.abs(np.spacing(nearest)) * ulps * 2 < float(step)
    snapped = same_sign & (distance > 0) & (distance <= ulps) & unambiguous
    on_grid = (code == OK) & exact & (same_sign & (distance == 0) | snapped)
    units = np.where(on_grid, steps, 0).astype(np.int64)
    floor = np.zeros(n, np.int64)
    for i in np.flatnonzero((code == OK) & ~on_grid).tolist():
        code[i], units[i], floor[i] = _exact(repr(float(values[i])), step)
    return Grid(units, code, floor, int((on_grid & snapped).sum()))


def _from_ints(array: pa.Array, step: Decimal) -> Grid:
    unit, scale = _scale(step)
    values = array.cast(pa.int64()).fill_null(0).to_numpy().astype(np.int64, copy=True)
    n = len(values)
    code = np.zeros(n, np.int8)
    code[np.asarray(array.is_null().to_numpy(zero_copy_only=False), bool)] = EMPTY
    big = np.abs(values) > _INT64_MAX // 10**scale
    raw = np.where(big, 0, values) * 10**scale
    units = np.where(raw % unit == 0, raw // unit, 0)
    floor = np.zeros(n, np.int64)
    for i in np.flatnonzero((code == OK) & (big | (raw % unit != 0))).tolist():
        code[i], units[i], floor[i] = _exact(str(int(values[i])), step)
    units[code != OK] = 0
    return Grid(units, code, floor)


def _exact(text: str, step: Decimal) -> tuple[int, int, int]:
    """(code, units, floor) for one value, exactly, with ``Decimal``."""
    try:
        value = Decimal(text)
    except decimal.InvalidOperation:
        return NOT_NUMBER, 0, 0
    if value.is_nan():
        return NAN, 0, 0
    if not value.is_finite():
        return NOT_NUMBER, 0, 0
    if value and value.adjusted() - step.adjusted() > _INT64_DIGITS:
        return TOO_LARGE, 0, 0
    quotient, remainder = _EXACT.divmod(value, step)
    steps = int(quotient)
    if abs(steps) > _INT64_MAX - 1:
        return TOO_LARGE, 0, 0
    if remainder:
        below = steps - 1 if remainder < 0 else steps
        return OFF_GRID, 0, below
    return OK, steps, 0
