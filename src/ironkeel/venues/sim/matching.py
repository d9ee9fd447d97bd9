"""Matching rules: which working orders fill, when, at what price and as maker or taker.

Two shapes of data, one set of rules for buys and sells (sell prices are negated):

Paths (bars and trade ticks, ``match_path``). A bar is its intrabar path
(``path.bar_path``), a trade tick a path of one point. Every order starts at the
path's first point; the path is walked and each order's next action (trigger,
fill, or cancel for IOC/FOK) is put on a heap keyed by its path position, so
actions happen in path order (ties: arrival order), and a fill can change what
the next order may do (volume budget, reduce-only position).

- An order is *fresh* when it becomes active (it arrived or was modified since
  the last match, or its stop just triggered). On bars every order counts as
  fresh at the open, so a limit whose price the open has gapped through fills
  at the open (taker). A fresh marketable order fills at the current price as
  taker; a market order fills at once at the current price (taker).
- A resting limit fills at its limit price (maker) when the path reaches it; if
  the path only touches the price, never going a tick through, the fill model
  decides (``FillModel.touch_fills``). A post-only order is never fresh: it
  fills only at its limit price, as maker.
- A stop triggers when the path reaches its trigger (a touch triggers); the
  trigger point's price is max(trigger, current price) for a buy stop (min for
  a sell): a gap triggers at the open. A stop-market then fills there (taker); a
  stop-limit becomes a fresh limit at that point and may fill later on the path.
- IOC and FOK have one chance: the point where they become active. IOC fills
  what it can there and cancels the rest; FOK fills all or cancels all.
- ``budget`` caps the lots all our orders fill on this path (volume participation).

Levels (quotes and L2 books, ``match_levels``): an order takes the opposite
side's levels best first, each level at most its displayed size (times the
participation cap) less what our fills took since the last update. A market or
fresh marketable limit order walks the levels, one fill per level at the
level's price (taker). A resting limit whose price the opposite side has
crossed fills at its limit price (maker), one fill for the lots of all the
levels it crosses. A buy stop triggers when the best ask reaches its trigger
(a sell stop: the best bid) and is then fresh.
"""

from __future__ import annotations

from collections.abc import Iterable
from heapq import heappop, heappush
from typing import Final

from ironkeel.model.data import BookLevel
from ironkeel.model.enums import BookSide, LiquiditySide, OrderSide, OrderStatus, TimeInForce
from ironkeel.model.orders import OPEN_STATES
from ironkeel.venues.sim.config import SimConfig
from ironkeel.venues.sim.executor import Executor
from ironkeel.venues.sim.fills import TouchPolicy
from ironkeel.venues.sim.market import Market
from ironkeel.venues.sim.path import START, Position, first_at_or_above, first_at_or_below
from ironkeel.venues.sim.records import SimOrder
from ironkeel.venues.sim.slippage import SlipContext

__all__ = ["all_plain_market", "fill_at_start", "match_levels", "match_path", "opposite_levels"]

_TRIGGER: Final = 0
_FILL: Final = 1
_KILL: Final = 2
_MAKER: Final = LiquiditySide.MAKER
_TAKER: Final = LiquiditySide.TAKER
_CANCELED: Final = OrderStatus.CANCELED

Action = tuple[Position, int, int, LiquiditySide]


def _next_action(
    rec: SimOrder, path: tuple[int, ...], pos: Position, cur: int, touch: TouchPolicy
) -> Action | None:
    """The order's next action at or after ``pos`` on a signed path whose price there is ``cur``."""
    side = rec.side
    if rec.awaits_trigger:
        trigger = side * rec.trigger_price  # type: ignore[operator]
        if cur >= trigger:
            return (pos, _TRIGGER, cur, _TAKER)
        at = first_at_or_above(path, pos, trigger)
        return None if at is None else (at, _TRIGGER, trigger, _TAKER)
    if rec.is_market:
        return (pos, _FILL, cur, _TAKER)
    limit = side * rec.price  # type: ignore[operator]
    if rec.takes_when_fresh and cur <= limit:
        return (pos, _FILL, cur, _TAKER)
    if rec.once and rec.fresh:
        return (pos, _KILL, cur, _TAKER)
    at = first_at_or_below(path, pos, limit)
    if at is None:
        return None
    if first_at_or_below(path, at, limit - 1) is None and not touch.touch_fills():
        return None
    return (at, _FILL, limit, _MAKER)


def match_path(
    ex: Executor,
    market: Market,
    orders: Iterable[SimOrder],
    path: tuple[int, ...],
    *,
    budget: int | None,
    ctx: SlipContext,
    touch: TouchPolicy,
) -> int:
    """Match ``orders`` along ``path``; returns the lots filled (taken from ``budget``)."""
    if budget is None and all_plain_market(orders):
        return fill_at_start(ex, market, orders, path[0], ctx)
    signed = {OrderSide.BUY: path, OrderSide.SELL: tuple(-p for p in path)}
    heap: list[tuple[Position, int, int, int, LiquiditySide, SimOrder]] = []
    for seq, rec in enumerate(orders):
        spath = signed[rec.side]
        action = _next_action(rec, spath, START, spath[0], touch)
        rec.fresh = False
        if action is not None:
            heappush(heap, (action[0], seq, action[1], action[2], action[3], rec))
    used = 0
    while heap:
        pos, seq, kind, px, liquidity, rec = heappop(heap)
        if not rec.is_open:
            continue
        if kind == _TRIGGER:
            ex.trigger(market, rec)
            action = _next_action(rec, signed[rec.side], pos, px, touch)
            rec.fresh = False
            if action is not None:
                heappush(heap, (action[0], seq, action[1], action[2], action[3], rec))
            continue
        left = None if budget is None else budget - used
        if kind == _KILL or (left is not None and left <= 0):
            if rec.once:
                ex.close(market, rec, _CANCELED)
            continue
        qty = rec.leaves if left is None else min(rec.leaves, left)
        if rec.time_in_force is TimeInForce.FOK and qty < rec.leaves:
            ex.close(market, rec, _CANCELED)
            continue
        used += ex.fill(market, rec, qty, rec.side * px, liquidity=liquidity, ctx=ctx)
        if rec.once and rec.is_open:
            ex.close(market, rec, _CANCELED)
    return used


def all_plain_market(orders: Iterable[SimOrder]) -> bool:
    """Whether every order is a market order that fills at once (no stop still to trigger)."""
    for rec in orders:  # noqa: SIM110 - a loop costs less than all(generator), on every fill
        if not rec.is_market or rec.awaits_trigger:
            return False
    return True


def fill_at_start(
    ex: Executor, market: Market, orders: Iterable[SimOrder], px: int, ctx: SlipContext
) -> int:
    """Only market orders and no volume cap: each fills whole at the path's first point
    ``px``, in arrival order (what ``match_path`` does then, without its heap); returns the
    lots filled."""
    used = 0
    fill = ex.fill
    for rec in orders:
        rec.fresh = False
        if rec.status in OPEN_STATES:
            used += fill(market, rec, rec.quantity - rec.filled, px, _TAKER, ctx)
            if rec.once and rec.status in OPEN_STATES:
                ex.close(market, rec, _CANCELED)
    return used


def opposite_levels(market: Market, side: OrderSide) -> Iterable[BookLevel]:
    """The levels an order of ``side`` takes from, best first: the book's, else the quote's."""
    book = market.book
    if book is not None and not book.is_empty:
        return book.asks() if side is OrderSide.BUY else book.bids()
    quote = market.last_quote
    if quote is None:
        return ()
    if side is OrderSide.BUY:
        return (BookLevel(quote.ask, quote.ask_size),)
    return (BookLevel(quote.bid, quote.bid_size),)


def match_levels(ex: Executor, market: Market, rec: SimOrder, config: SimConfig) -> None:
    """Match one order against the current quote or book (see the module doc)."""
    side = rec.side
    levels = opposite_levels(market, side)
    if rec.awaits_trigger:
        best = next(iter(levels), None)
        if best is None or (best.price - rec.trigger_price) * side < 0:  # type: ignore[operator]
            return
        ex.trigger(market, rec)
        levels = opposite_levels(market, side)
    available = _available(market, rec, levels, config)
    taker = rec.is_market or rec.takes_when_fresh
    once = rec.once
    rec.fresh = False
    if rec.time_in_force is TimeInForce.FOK and sum(q for _, q in available) < rec.leaves:
        ex.close(market, rec, _CANCELED)
        return
    if taker:
        _walk(ex, market, rec, available)
    elif available:
        _rest_fill(ex, market, rec, available)
    if once and rec.is_open:
        ex.close(market, rec, _CANCELED)


def _available(
    market: Market, rec: SimOrder, levels: Iterable[BookLevel], config: SimConfig
) -> list[tuple[int, int]]:
    """(price, lots we may take) of the levels this order can reach, best first."""
    limit = None if rec.is_market else rec.price
    side = rec.side
    taken = BookSide.ASK if side is OrderSide.BUY else BookSide.BID
    consumed = market.consumed
    result: list[tuple[int, int]] = []
    need = rec.leaves
    for level in levels:
        if limit is not None and (level.price - limit) * side > 0:
            break
        cap = config.participation_cap(level.size)
        size = level.size if cap is None else cap
        free = size - consumed.get((taken, level.price), 0)
        if free > 0:
            result.append((level.price, free))
            need -= free
            if need <= 0:
                break
    return result


def _take(market: Market, rec: SimOrder, price: int, qty: int) -> None:
    taken = BookSide.ASK if rec.side is OrderSide.BUY else BookSide.BID
    key = (taken, price)
    market.consumed[key] = market.consumed.get(key, 0) + qty


def _walk(ex: Executor, market: Market, rec: SimOrder, available: list[tuple[int, int]]) -> None:
    spread = market.spread()
    for price, free in available:
        qty = min(free, rec.leaves)
        ctx = SlipContext(volume=free, spread=spread, at_touch=True)
        filled = ex.fill(market, rec, qty, price, liquidity=_TAKER, ctx=ctx)
        _take(market, rec, price, filled)
        if not rec.is_open or filled < qty:
            return


def _rest_fill(
    ex: Executor, market: Market, rec: SimOrder, available: list[tuple[int, int]]
) -> None:
    qty = min(sum(free for _, free in available), rec.leaves)
    ctx = SlipContext(volume=qty, spread=market.spread(), at_touch=True)
    filled = ex.fill(market, rec, qty, rec.price, liquidity=_MAKER, ctx=ctx)  # type: ignore[arg-type]
    for price, free in available:
        part = min(free, filled)
        _take(market, rec, price, part)
        filled -= part
        if filled <= 0:
            return
