"""Exact integer products at machine speed when compiled.

Money, prices and quantities are ints (money in 10**-12 units, so a notional is often
above 2**30). Compiled, ``a * b`` of two ints takes one machine multiply only when both
factors are below 2**30 and not negative; any other product goes through Python's
integer objects, about ten times the work. ``mul`` takes the machine path whenever the
exact product fits in 63 bits, and is ``a * b`` in every case (a test checks it against
Python's product, small, negative and huge).

``products_le(a, b, c, d)`` is ``a * b <= c * d``, decided by float estimates only when
they are far apart (a limit check is rarely close to its limit) and exactly otherwise:
the answer is always the exact comparison's.
"""

from __future__ import annotations

from typing import Final

from mypy_extensions import i64

__all__ = ["mul", "products_le"]

#: Factors below this in magnitude fit an i64 with room to spare (a short int when compiled).
_FACTOR: Final = 2**61
#: A float estimate of the product below this means the exact product is below 2**63: the
#: estimate's relative error is at most 3 * 2**-53, far inside the margin to 9.22e18.
_PRODUCT: Final = 4.0e18


def mul(a: int, b: int) -> int:
    """``a * b``, exactly."""
    if -_FACTOR < a < _FACTOR and -_FACTOR < b < _FACTOR:
        estimate = float(a) * float(b)
        if -_PRODUCT < estimate < _PRODUCT:
            return int(i64(a) * i64(b))
    return a * b


#: The estimates of two products this far apart (relative) order them as the exact
#: products do: each estimate is within 2**-51 of its product, far inside this margin.
_APART: Final = 1e-9


def products_le(a: int, b: int, c: int, d: int) -> bool:
    """``a * b <= c * d``, exactly, without a product of Python ints when the two are not
    close (e.g. a leverage check, ``exposure * den <= num * equity``, with money above 2**63
    once multiplied)."""
    try:
        left = float(a) * float(b)
        right = float(c) * float(d)
    except OverflowError:  # a factor beyond a float's range: only the exact way
        return mul(a, b) <= mul(c, d)
    margin = _APART * abs(right)
    if left < right - margin:
        return True
    if left > right + margin:
        return False
    return mul(a, b) <= mul(c, d)
