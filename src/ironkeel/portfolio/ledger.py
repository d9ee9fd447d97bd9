"""One strategy's ledger in one account: its allocated cash, positions, equity and HWM.

A ledger starts at zero. ``Portfolio.allocate`` moves cash into it from the
account's unallocated cash; trades move its cash and positions. A fill for a
strategy that was never allocated anything still books: its ledger starts at 0
cash and goes negative (the risk engine, not the books, decides whether a
strategy may trade without capital).

For each currency: ``equity = cash + Σ position values`` exactly, and
``realized + unrealized - fees = equity - allocated``. There is no FX
conversion: every figure is per currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ironkeel.model.identifiers import AccountId, InstrumentId, StrategyId
from ironkeel.model.instruments import Instrument
from ironkeel.model.values import Currency, Money
from ironkeel.portfolio._balance import Figures
from ironkeel.portfolio.position import Position

__all__ = ["StrategyLedger"]


class StrategyLedger(Figures):
    """A live, read-only view of one strategy's books in one account."""

    __slots__ = ("_positions", "account_id", "strategy_id")

    def __init__(self, strategy_id: StrategyId, account_id: AccountId) -> None:
        super().__init__()
        self.strategy_id = strategy_id
        self.account_id = account_id
        self._positions: dict[InstrumentId, Position] = {}

    def __repr__(self) -> str:
        return f"StrategyLedger({self.strategy_id}, {self.account_id})"

    def allocated(self, currency: Currency) -> Money:
        """Cash allocated to the strategy so far (the capital its P&L is measured against)."""
        return Money.from_raw(self._read(currency).capital, currency)

    @property
    def positions(self) -> Mapping[InstrumentId, Position]:
        """Every position the strategy has held, flat ones included (they keep their P&L)."""
        return MappingProxyType(self._positions)

    def position(self, instrument_id: InstrumentId) -> Position | None:
        return self._positions.get(instrument_id)

    def _position(self, instrument: Instrument) -> Position:
        position = self._positions.get(instrument.id)
        if position is None:
            position = Position(instrument, self.strategy_id, self.account_id)
            self._positions[instrument.id] = position
        return position

    def _open_positions(self) -> Iterable[Position]:
        return (p for p in self._positions.values() if p.qty)
