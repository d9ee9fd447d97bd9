"""The constant-memory latency histogram agrees with exact percentiles to within a bucket."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ironkeel.sandbox.latency import LatencyHistogram

BUCKET = 256


@given(
    st.lists(st.integers(min_value=0, max_value=40_000_000), min_size=1, max_size=400),
    st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]),
)
def test_a_percentile_is_within_one_bucket_of_the_exact_one(samples: list[int], q: float) -> None:
    histogram = LatencyHistogram()
    for ns in samples:
        histogram.add(ns)
    ordered = sorted(samples)
    exact = ordered[min(len(ordered) - 1, int(q * len(ordered)))]
    got = histogram.percentile(q)
    assert got is not None
    if exact >= BUCKET << 16:  # beyond the buckets: kept exactly
        assert got == exact
    else:
        assert exact // BUCKET == got // BUCKET
    assert histogram.count == len(samples)
    assert histogram.max == max(samples)


def test_an_empty_histogram_has_no_percentile() -> None:
    assert LatencyHistogram().percentile(0.5) is None
