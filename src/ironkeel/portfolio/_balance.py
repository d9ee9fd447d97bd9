"""Per-currency figures of a strategy ledger or an account, in exact money raw units.

A ``Balance`` is the mutable state the portfolio keeps for one currency of one
ledger (or one account); ``Figures`` is the read-only view both
``StrategyLedger`` and ``Account`` present to callers, in ``Money`` at the
boundary. No FX conversion happens anywhere: every figure is in one currency.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction

from ironkeel.model.values import Currency, Money
from ironkeel.portfolio.position import Position

__all__ = ["Balance", "Figures"]


class Balance:
    """The figures of one currency, each an int of 10**-12 units.

    ``capital`` is the money put in from outside (an allocation for a ledger,
    the starting cash for an account); ``cash`` moves with trades and fees;
    ``equity`` is cash plus the value of the open positions settled in this
    currency (kept, not summed, so a mark adds one delta); ``hwm`` is the
    highest equity seen so far.
    """

    __slots__ = ("capital", "cash", "equity", "fees", "hwm", "realized")

    def __init__(self, capital: int = 0) -> None:
        self.capital = capital
        self.cash = capital
        self.equity = capital
        self.realized = 0
        self.fees = 0
        self.hwm = capital

    @property
    def value(self) -> int:
        """The value of the open positions: equity - cash."""
        return self.equity - self.cash

    def move_cash(self, amount: int) -> None:
        """Add ``amount`` (negative to pay) to cash, and so to equity."""
        self.cash += amount
        self.equity += amount

    def touch(self) -> None:
        """Raise the high-water mark to the current equity if it is higher."""
        if self.equity > self.hwm:  # noqa: PLR1730 - max() costs a call, once per fill
            self.hwm = self.equity


class Figures:
    """Read-only money figures per currency; shared by ``StrategyLedger`` and ``Account``.

    A currency the holder has never seen reads as zero. Figures are per
    currency: there is no FX conversion yet, so nothing is ever summed across
    currencies.
    """

    __slots__ = ("_balances",)

    def __init__(self) -> None:
        self._balances: dict[Currency, Balance] = {}

    def _balance(self, currency: Currency) -> Balance:
        """The balance of ``currency``, created at zero on first use."""
        balance = self._balances.get(currency)
        if balance is None:
            balance = self._balances[currency] = Balance()
        return balance

    def _read(self, currency: Currency) -> Balance:
        return self._balances.get(currency) or _ZERO

    @property
    def currencies(self) -> tuple[Currency, ...]:
        """The currencies with any figure, in the order they first appeared."""
        return tuple(self._balances)

    def cash(self, currency: Currency) -> Money:
        return Money.from_raw(self._read(currency).cash, currency)

    def equity(self, currency: Currency) -> Money:
        """Cash plus the value of the open positions settled in ``currency``."""
        return Money.from_raw(self._read(currency).equity, currency)

    def realized(self, currency: Currency) -> Money:
        """Realized P&L of closed lots (FIFO), before fees."""
        return Money.from_raw(self._read(currency).realized, currency)

    def fees(self, currency: Currency) -> Money:
        """Commissions paid in ``currency`` (negative if rebates exceed them)."""
        return Money.from_raw(self._read(currency).fees, currency)

    def unrealized(self, currency: Currency) -> Money:
        """Unrealized P&L of the open positions settled in ``currency``."""
        return Money.from_raw(self._unrealized_raw(currency), currency)

    def hwm(self, currency: Currency) -> Money:
        """The high-water mark: the highest equity seen, updated on every equity change."""
        return Money.from_raw(self._read(currency).hwm, currency)

    def drawdown(self, currency: Currency) -> Money:
        """How far equity is below the high-water mark (>= 0)."""
        balance = self._read(currency)
        return Money.from_raw(balance.hwm - balance.equity, currency)

    def drawdown_fraction(self, currency: Currency) -> Fraction | None:
        """Drawdown as an exact fraction of the high-water mark; None while the HWM is <= 0."""
        balance = self._read(currency)
        if balance.hwm <= 0:
            return None
        return Fraction(balance.hwm - balance.equity, balance.hwm)

    def _unrealized_raw(self, currency: Currency) -> int:
        return sum(p.unrealized_raw for p in self._open_positions() if p.currency == currency)

    def _open_positions(self) -> Iterable[Position]:
        raise NotImplementedError  # pragma: no cover - each holder knows its positions


#: What ``_read`` answers for a currency never seen; never mutated.
_ZERO = Balance()
