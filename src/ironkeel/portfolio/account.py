"""An account: its cash per currency, unallocated or held by strategy ledgers.

For each currency, exactly and at all times:
``account cash = unallocated + Σ ledger cash`` and
``account equity = unallocated + Σ ledger equity`` (the ledgers add up to the
account). There is no FX conversion: every figure is per currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from ironkeel.model.errors import InvalidInputError
from ironkeel.model.identifiers import AccountId, StrategyId
from ironkeel.model.values import Currency, Money
from ironkeel.portfolio._balance import Balance, Figures
from ironkeel.portfolio.ledger import StrategyLedger
from ironkeel.portfolio.position import Position

__all__ = ["Account"]


class Account(Figures):
    """A live, read-only view of one account's books: totals plus one ledger per strategy.

    ``hwm`` and ``drawdown`` of an account track its total equity (allocations
    between its strategies do not move them).
    """

    __slots__ = ("_ledgers", "_unallocated", "account_id")

    def __init__(self, account_id: AccountId, starting_cash: Iterable[Money]) -> None:
        super().__init__()
        self.account_id = account_id
        self._ledgers: dict[StrategyId, StrategyLedger] = {}
        self._unallocated: dict[Currency, int] = {}
        for index, money in enumerate(starting_cash):
            field = f"{account_id}.starting_cash[{index}]"
            if not isinstance(money, Money):
                raise InvalidInputError(
                    field, money, f"is a {type(money).__name__}", "pass Money(amount, currency)"
                )
            if money.currency in self._balances:
                raise InvalidInputError(
                    field,
                    money,
                    f"repeats the currency {money.currency.code}",
                    "give one Money per currency",
                )
            if money.raw < 0:
                raise InvalidInputError(field, money, "is negative", "start with cash >= 0")
            self._balances[money.currency] = Balance(money.raw)
            self._unallocated[money.currency] = money.raw

    def __repr__(self) -> str:
        return f"Account({self.account_id}, strategies={len(self._ledgers)})"

    def starting_cash(self, currency: Currency) -> Money:
        return Money.from_raw(self._read(currency).capital, currency)

    def unallocated(self, currency: Currency) -> Money:
        """Cash not allocated to any strategy."""
        return Money.from_raw(self._unallocated.get(currency, 0), currency)

    @property
    def ledgers(self) -> Mapping[StrategyId, StrategyLedger]:
        return MappingProxyType(self._ledgers)

    def _ledger(self, strategy_id: StrategyId) -> StrategyLedger:
        ledger = self._ledgers.get(strategy_id)
        if ledger is None:
            ledger = self._ledgers[strategy_id] = StrategyLedger(strategy_id, self.account_id)
        return ledger

    def _allocate(self, strategy_id: StrategyId, money: Money) -> None:
        currency = money.currency
        available = self._unallocated.get(currency, 0)
        if money.raw > available:
            raise InvalidInputError(
                "allocate.money",
                money,
                f"exceeds the {Money.from_raw(available, currency)} unallocated "
                f"in account {self.account_id}",
                "allocate at most the unallocated cash, or start the account with more",
            )
        self._unallocated[currency] = available - money.raw
        balance = self._ledger(strategy_id)._balance(currency)
        balance.capital += money.raw
        balance.move_cash(money.raw)
        balance.touch()

    def _open_positions(self) -> Iterable[Position]:
        for ledger in self._ledgers.values():
            yield from ledger._open_positions()
