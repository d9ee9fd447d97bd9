"""Portfolio accounting: accounts, per-strategy ledgers and netting positions, exact.

Cash per currency; positions with FIFO lots, an exact average price, realized
and unrealized P&L and fees; per-strategy ledgers with allocated cash, equity,
high-water mark and drawdown, adding up exactly to their account; incremental
mark-to-market from bars, trades, quotes and fills. No FX conversion: every
figure is per currency.
"""

from ironkeel.portfolio.account import Account
from ironkeel.portfolio.ledger import StrategyLedger
from ironkeel.portfolio.portfolio import Portfolio
from ironkeel.portfolio.position import Position

__all__ = ["Account", "Portfolio", "Position", "StrategyLedger"]
