"""The mark's bookkeeping of its holders: kept incrementally, equal to a recount."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ironkeel.portfolio._balance import Balance
from ironkeel.portfolio._mark import Mark
from ironkeel.portfolio.position import Position

from ._factories import A1, AAPL, S1


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2)), max_size=40))
def test_holders_accounts_and_only_holder_match_a_recount(steps: list[tuple[int, int]]) -> None:
    mark = Mark(AAPL)
    positions = [Position(AAPL, S1, A1) for _ in range(6)]
    accounts = [Balance() for _ in range(3)]
    held: list[int] = []
    for which, account in steps:
        if which in held:  # open: it goes flat
            mark.release(positions[which])
            held.remove(which)
        else:
            mark.hold(positions[which], Balance(), accounts[account])
            held.append(which)
        assert [h[0] for h in mark.holders] == [positions[i] for i in held]
        recount = list({id(h[2]): h[2] for h in mark.holders}.values())
        assert mark.account_balances == recount
        assert all(a is b for a, b in zip(mark.account_balances, recount, strict=True))
        assert mark.only == (mark.holders[0] if len(held) == 1 else None)
