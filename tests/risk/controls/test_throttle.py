"""Token-bucket throttles: boundaries at burst, refill to the ns, twice the rate kept
within every sliding window, emergency orders never denied."""

from __future__ import annotations

import bisect
import random

import pytest

from ironkeel.model import InvalidInputError
from ironkeel.risk.controls import ModifyThrottle, SubmitThrottle, TokenBucket
from ironkeel.risk.ticket import Ticket
from tests.risk.controls._orders import ALPHA, BETA, SECOND, buy, view


@pytest.mark.parametrize(("count", "all_pass"), [(4, True), (5, True), (6, False)])
def test_bucket_when_burst_minus_one_burst_and_burst_plus_one_arrive_at_once(count, all_pass):
    throttle = SubmitThrottle(10, SECOND, 5, per_strategy=True)
    screen = view()
    results = [throttle.check(Ticket(buy(1)), screen) is None for _ in range(count)]
    assert all(results) is all_pass
    assert results[:5] == [True] * min(count, 5)
    if not all_pass:
        denial = throttle.check(Ticket(buy(1)), screen)
        assert denial.code == "SUBMIT_RATE"
        assert "above 10 per 1000000000 ns (burst 5): next allowed in 100000000 ns" in (
            denial.reason
        )


@pytest.mark.parametrize(("offset", "passes"), [(-1, False), (0, True), (1, True)])
def test_bucket_when_empty_then_a_token_comes_back_after_exactly_per_over_rate(offset, passes):
    bucket = TokenBucket(rate=10, per_ns=SECOND, burst=1)
    assert bucket.take(0)
    assert bucket.take(SECOND // 10 + offset) is passes


def test_bucket_when_clock_steps_back_then_no_tokens_are_added():
    bucket = TokenBucket(rate=1, per_ns=SECOND, burst=1)
    assert bucket.take(10 * SECOND)
    assert not bucket.take(5 * SECOND)
    assert not bucket.take(10 * SECOND + SECOND - 1)
    assert bucket.take(11 * SECOND)


def _max_in_window(times: list[int], window: int) -> int:
    """The most timestamps in any closed window [t, t + window] (the worst starts at one)."""
    return max(bisect.bisect_right(times, t + window) - i for i, t in enumerate(times))


@pytest.mark.parametrize(("rate", "per", "burst"), [(10, SECOND, 10), (50, SECOND, 5), (3, 7, 1)])
def test_throttle_when_driven_at_twice_the_rate_then_every_sliding_window_is_within_the_limit(
    rate, per, burst
):
    rng = random.Random(3)
    throttle = SubmitThrottle(rate, per, burst, per_strategy=True)
    screen = view(now=0)
    sent: list[int] = []
    attempts = 40 * rate
    for _ in range(attempts):  # twice the rate, with jitter, over 20 periods
        screen.now += rng.randint(0, per // rate)
        if throttle.check(Ticket(buy(1)), screen) is None:
            sent.append(screen.now)
    assert len(sent) < attempts
    for window in (per, per // 2, 3 * per, 1):
        assert _max_in_window(sent, window) <= burst + rate * window // per
    assert _max_in_window(sent, per) <= burst + rate  # the window of one period


def test_throttle_when_emergency_orders_are_interleaved_then_none_is_ever_denied():
    throttle = SubmitThrottle(5, SECOND, 2, per_strategy=True)
    screen = view(now=0)
    denied = {True: 0, False: 0}
    for n in range(1_000):
        screen.now += SECOND // 50  # ten times the rate
        emergency = n % 3 == 0
        denial = throttle.check(Ticket(buy(1, emergency=emergency, reduce_only=emergency)), screen)
        denied[emergency] += denial is not None
    assert denied[True] == 0
    assert denied[False] > 0


def test_throttle_when_emergency_orders_took_the_tokens_then_others_wait():
    throttle = SubmitThrottle(1, SECOND, 2, per_strategy=True)
    screen = view()
    for _ in range(5):
        assert throttle.check(Ticket(buy(1, emergency=True)), screen) is None
    assert throttle.check(Ticket(buy(1)), screen) is not None
    screen.now += SECOND  # no debt: one second gives one token back
    assert throttle.check(Ticket(buy(1)), screen) is None


def test_throttle_when_per_strategy_then_each_strategy_has_its_own_bucket():
    own = SubmitThrottle(1, SECOND, 1, per_strategy=True)
    shared = SubmitThrottle(1, SECOND, 1, per_strategy=False)
    screen = view()
    assert own.check(Ticket(buy(1, strategy=ALPHA)), screen) is None
    assert own.check(Ticket(buy(1, strategy=BETA)), screen) is None
    # Back to ALPHA (BETA's bucket was the last used): ALPHA's own, empty, bucket decides.
    assert own.check(Ticket(buy(1, strategy=ALPHA)), screen) is not None
    assert own.check(Ticket(buy(1, strategy=BETA)), screen) is not None
    assert shared.check(Ticket(buy(1, strategy=ALPHA)), screen) is None
    denial = shared.check(Ticket(buy(1, strategy=BETA)), screen)
    assert denial is not None
    assert "all strategies" in denial.reason


def test_modify_throttle_when_over_the_rate_then_modify_rate_unless_emergency():
    throttle = ModifyThrottle(2, SECOND, 2, per_strategy=True)
    screen = view()
    assert throttle.check_modify(ALPHA, screen) is None
    assert throttle.check_modify(ALPHA, screen) is None
    assert throttle.check_modify(ALPHA, screen).code == "MODIFY_RATE"
    assert throttle.check_modify(ALPHA, screen, emergency=True) is None
    assert throttle.check_modify(BETA, screen) is None


@pytest.mark.parametrize(("rate", "per", "burst"), [(0, 1, 1), (1, 0, 1), (1, 1, 0), (-1, 1, 1)])
def test_bucket_when_figures_are_not_positive_then_refused(rate, per, burst):
    with pytest.raises(InvalidInputError):
        SubmitThrottle(rate, per, burst, per_strategy=True)
