"""Incremental mark-to-market: one instrument's mark and the open positions it values.

A price event revalues only the open positions in its instrument (O(k) for k
holders, O(1) with one) and adds each change to the position's ledger and
account equity, raising their high-water marks. With no open position the
portfolio only stores the price.
"""

from __future__ import annotations

from typing import Any

from ironkeel.core.exact import mul
from ironkeel.core.loop import Handler
from ironkeel.model.instruments import Instrument
from ironkeel.portfolio._balance import Balance
from ironkeel.portfolio.position import Position

__all__ = ["Mark", "MarkAtClose"]

_Holder = tuple[Position, Balance, Balance]  # open position, its ledger's and account's balance


class Mark:
    """The current mark of one instrument (per side) and the open positions holding it."""

    __slots__ = ("account_balances", "holders", "instrument", "long_px", "only", "short_px")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        # The last market price, None before any: what a long lot is worth and what a
        # short lot costs to buy back, in ticks (the same but for a quote).
        self.long_px: int | None = None
        self.short_px: int | None = None
        self.holders: list[_Holder] = []
        self.account_balances: list[Balance] = []  # of the holders, each once
        #: The holder when there is exactly one, else None.
        self.only: _Holder | None = None

    def hold(self, position: Position, ledger_balance: Balance, account_balance: Balance) -> None:
        """Start revaluing ``position`` (it just opened) on this instrument's prices."""
        holder = (position, ledger_balance, account_balance)
        holders = self.holders
        holders.append(holder)
        self.only = holder if len(holders) == 1 else None
        # Incremental ``_index``: the new holder's account goes last unless already listed.
        for balance in self.account_balances:
            if balance is account_balance:
                return
        self.account_balances = [*self.account_balances, account_balance]

    def release(self, position: Position) -> None:
        """Stop revaluing ``position`` (it is flat)."""
        holders = self.holders
        if len(holders) == 1 and holders[0][0] is position:  # the common case: the only holder
            self.holders = []
            self.account_balances = []
            self.only = None
            return
        self.holders = [h for h in holders if h[0] is not position]
        self._index()

    def _index(self) -> None:
        holders = self.holders
        self.account_balances = list({id(h[2]): h[2] for h in holders}.values())
        self.only = holders[0] if len(holders) == 1 else None

    def close_at(self, close: Any) -> None:
        """Mark at a bar's close (an int of ticks): both sides at one price. ``close`` is
        stored as it is (the bar's own int object, no new box per bar)."""
        self.long_px = self.short_px = close
        if self.holders:
            self.revalue(close, close)

    def revalue(self, long_px: int, short_px: int) -> None:
        """Value every holder's longs at ``long_px`` and shorts at ``short_px``.

        The hot path of a held instrument: plain attribute arithmetic, no calls.
        """
        only = self.only
        if only is not None:  # the common case, unrolled: ~15% faster than the loop below
            position, ledger_balance, account_balance = only
            exposure = position._exposure
            value = mul(exposure, long_px if exposure > 0 else short_px)
            delta = value - position._value
            if delta:
                position._value = value
                equity = ledger_balance.equity + delta
                ledger_balance.equity = equity
                if equity > ledger_balance.hwm:  # noqa: PLR1730 - max() costs a call per event
                    ledger_balance.hwm = equity
                equity = account_balance.equity + delta
                account_balance.equity = equity
                if equity > account_balance.hwm:  # noqa: PLR1730 - max() costs a call per event
                    account_balance.hwm = equity
            return
        for position, ledger_balance, account_balance in self.holders:
            exposure = position._exposure
            value = mul(exposure, long_px if exposure > 0 else short_px)
            delta = value - position._value
            if delta:
                position._value = value
                equity = ledger_balance.equity + delta
                ledger_balance.equity = equity
                if equity > ledger_balance.hwm:  # noqa: PLR1730 - max() costs a call per event
                    ledger_balance.hwm = equity
                account_balance.equity += delta
        # An account's equity is final only once every holder is revalued (two
        # strategies long and short would otherwise lift its HWM in passing).
        for account_balance in self.account_balances:
            equity = account_balance.equity
            if equity > account_balance.hwm:  # noqa: PLR1730 - max() costs a call per event
                account_balance.hwm = equity


class MarkAtClose(Handler):
    """A bar stream's portfolio handler, bound to its instrument's mark when the stream is
    subscribed (``Portfolio.bar_handler``): no bar type to read and look up per bar."""

    __slots__ = ("_mark",)

    def __init__(self, mark: Mark) -> None:
        self._mark = mark

    def handle(self, bar: Any) -> None:
        self._mark.close_at(bar.close)
