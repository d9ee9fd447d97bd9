"""What sets off the automatic kill switches: a fill that slipped beyond the limit from
the reference price its order was sent at, a gap in a bar stream, market data gone
stale. ``Tripwires`` only says why (exact integer comparisons); the risk engine kills.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Final

from ironkeel.core.exact import mul
from ironkeel.model.data import Bar, BarType
from ironkeel.model.enums import OrderSide
from ironkeel.model.events import OrderFilled
from ironkeel.model.identifiers import InstrumentId
from ironkeel.risk.config import BreakerSettings
from ironkeel.risk.controls.base import reference_of
from ironkeel.risk.reference import Reference
from ironkeel.risk.ticket import Ticket
from ironkeel.risk.view import PreTradeView

__all__ = ["Tripwires"]

_BUY: Final = OrderSide.BUY


class Tripwires:
    """The detectors of the automatic kill switches (``max_slippage_bps``,
    ``kill_on_data_gap``, ``stale_data_s``)."""

    def __init__(self, settings: BreakerSettings) -> None:
        self._max_slippage_bps = settings.max_slippage_bps
        slippage = Fraction(settings.max_slippage_bps) / 10_000
        self._slip_num, self._slip_den = slippage.numerator, slippage.denominator  # ints
        self._stale_ns = int(settings.stale_data_s * 1_000_000_000)
        self._last_bar: dict[BarType, int] = {}
        # Per instrument, the objects its streams write their latest data time to.
        self._stamps: dict[InstrumentId, list[Reference]] = {}

    def watch(self, instrument_id: InstrumentId, stamp: Reference) -> None:
        """Judge the staleness of ``instrument_id``'s data by ``stamp`` too (the latest
        item of one of its streams)."""
        stamps = self._stamps.setdefault(instrument_id, [])
        if all(known is not stamp for known in stamps):
            stamps.append(stamp)

    def sent_at(self, ticket: Ticket, view: PreTradeView) -> int:
        """The reference price in ticks an approved order's fills are measured against:
        the one it was checked at (0: never measured, for an emergency order or one sent
        with no reference). The tracker keeps it while the order works."""
        if ticket.emergency or not reference_of(ticket, view):
            return 0
        return ticket.reference_price

    def slipped(self, fill: OrderFilled, sent_at: int, view: PreTradeView) -> str | None:
        """Why ``fill`` slipped beyond the limit from ``sent_at`` (its order's reference,
        kept by the tracker), or None. Every fill of an order is measured, the partial
        ones too."""
        if sent_at <= 0:
            return None
        price = fill.last_px
        adverse = price - sent_at if fill.side is _BUY else sent_at - price  # > 0: worse
        if mul(adverse, self._slip_den) <= mul(self._slip_num, sent_at):
            return None
        instrument = view.instrument(fill.instrument_id)
        return (
            f"fill at {fill.last_px * instrument.price_increment} slipped beyond "
            f"{self._max_slippage_bps} bps from the reference "
            f"{sent_at * instrument.price_increment} when the order was sent"
        )

    def gap(self, bar: Bar) -> str | None:
        """Why bars are missing before ``bar`` in its stream, or None."""
        bar_type = bar.bar_type
        previous = self._last_bar.get(bar_type)
        self._last_bar[bar_type] = bar.ts_event
        if previous is None or bar.ts_event - previous <= bar_type.interval_ns:
            return None
        missing = (bar.ts_event - previous) // bar_type.interval_ns - 1
        return f"data gap: {missing} bar(s) of {bar_type} missing before {bar.ts_event}"

    def stale(self, now_ns: int) -> list[tuple[InstrumentId, str]]:
        """The instruments whose latest market data, in any stream, is older than the limit
        at ``now_ns``, and why (an instrument with no data yet is not judged)."""
        found = []
        for instrument_id, stamps in self._stamps.items():
            times = [stamp.ts for stamp in stamps if stamp.seen]
            if not times:
                continue
            last = max(times)
            if now_ns - last > self._stale_ns:
                found.append(
                    (
                        instrument_id,
                        f"market data for {instrument_id} is stale: last at {last}, now {now_ns}",
                    )
                )
        return found
