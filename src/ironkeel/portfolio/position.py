"""A netting position of one strategy in one instrument, with FIFO lots and exact P&L.

Quantities are signed int lots (long > 0, short < 0) and prices int ticks of
the instrument; every money figure is an int of 10**-12 units of the
instrument's quote currency (``Instrument.unit_raw`` per tick*lot).

- Each open lot keeps its own price, so closing part of a position realizes an
  exact int: ``closed_lots * (fill_px - lot_px) * unit_raw`` (signed, so a
  short gains when the price falls). Lots are closed first in, first out.
- A fill through zero (long to short) closes every open lot and opens the
  rest at the fill price.
- ``avg_px`` is exact: a ``Fraction`` of ticks (cost of the open lots / open lots).
- ``value_raw`` is ``qty * mark * unit_raw`` at the mark the portfolio last set
  (longs at the bid, shorts at the ask for quotes), so
  ``unrealized_raw = value_raw - cost`` of the open lots.
- Realized P&L excludes fees; ``fees_raw`` counts the commissions paid in the
  position's currency (a commission charged in another currency is booked in
  the ledger's figures of that currency only).
"""

from __future__ import annotations

from collections import deque
from fractions import Fraction

from ironkeel.model.identifiers import AccountId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency

__all__ = ["Position"]


class Position:
    """A live, read-only view of one netting position; only the portfolio changes it."""

    __slots__ = (
        "_cost",
        "_exposure",
        "_fees",
        "_lots",
        "_qty",
        "_realized",
        "_value",
        "account_id",
        "currency",
        "instrument_id",
        "strategy_id",
        "unit_raw",
    )

    def __init__(self, instrument: Instrument, strategy_id: StrategyId, account_id: AccountId):
        self.instrument_id: InstrumentId = instrument.id
        self.currency: Currency = instrument.quote_currency
        self.unit_raw: int = instrument.unit_raw
        self.strategy_id = strategy_id
        self.account_id = account_id
        self._qty = 0  # signed open lots
        self._exposure = 0  # qty * unit_raw: the value of one tick of mark
        self._cost = 0  # signed sum of lots * entry ticks over the open lots
        self._lots: deque[list[int]] = deque()  # FIFO of [signed lots, entry ticks]
        self._realized = 0
        self._fees = 0
        self._value = 0

    def __repr__(self) -> str:
        return (
            f"Position({self.strategy_id}, {self.instrument_id}, qty={self._qty}, "
            f"avg_px={self.avg_px}, realized_raw={self._realized}, value_raw={self._value})"
        )

    # --- read-only figures ------------------------------------------------------------

    @property
    def qty(self) -> int:
        """Signed open lots: > 0 long, < 0 short, 0 flat."""
        return self._qty

    @property
    def is_flat(self) -> bool:
        return self._qty == 0

    @property
    def avg_px(self) -> Fraction | None:
        """Exact average entry price of the open lots, in ticks; None when flat."""
        if self._qty == 0:
            return None
        return Fraction(self._cost, self._qty)

    @property
    def open_lots(self) -> tuple[tuple[int, int], ...]:
        """The open lots, oldest first, as (signed lots, entry ticks)."""
        return tuple((lots, px) for lots, px in self._lots)

    @property
    def cost_raw(self) -> int:
        """Signed entry cost of the open lots (negative for a short)."""
        return self._cost * self.unit_raw

    @property
    def value_raw(self) -> int:
        """Signed value at the current mark: ``qty * mark * unit_raw``."""
        return self._value

    @property
    def mark_px(self) -> int | None:
        """The mark, in ticks, the position is valued at; None when flat."""
        if self._qty == 0:
            return None
        return self._value // (self._qty * self.unit_raw)

    @property
    def unrealized_raw(self) -> int:
        return self._value - self._cost * self.unit_raw

    @property
    def realized_raw(self) -> int:
        """Realized P&L of every lot closed so far, before fees."""
        return self._realized

    @property
    def fees_raw(self) -> int:
        """Commissions paid in this position's currency (rebates are negative)."""
        return self._fees

    # --- changes (called by the portfolio only) ---------------------------------------

    def _apply(self, signed_qty: int, px: int) -> int:
        """Book a fill of ``signed_qty`` lots at ``px`` ticks; return the realized raw P&L."""
        qty = self._qty
        if qty == 0 or (qty > 0) == (signed_qty > 0):
            self._lots.append([signed_qty, px])
            self._qty = qty + signed_qty
            self._exposure = self._qty * self.unit_raw
            self._cost += signed_qty * px
            return 0
        lots = self._lots
        remaining = signed_qty  # opposite in sign to every open lot
        realized_ticks = 0
        closed_cost = 0
        while remaining and lots:
            lot = lots[0]
            lot_qty, lot_px = lot
            if abs(remaining) >= abs(lot_qty):
                closing = lot_qty
                lots.popleft()
            else:
                closing = -remaining
                lot[0] = lot_qty - closing
            realized_ticks += closing * (px - lot_px)
            closed_cost += closing * lot_px
            remaining += closing
        self._cost -= closed_cost
        if remaining:  # flipped through zero: the rest opens at the fill price
            lots.append([remaining, px])
            self._cost += remaining * px
        self._qty = qty + signed_qty
        self._exposure = self._qty * self.unit_raw
        realized = realized_ticks * self.unit_raw
        self._realized += realized
        return realized
