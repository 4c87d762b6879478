"""The numbers of a benchmark: percentiles, interleaved A/B pairs, ratios and targets.

Pure functions (no Django, no I/O) so the suite can check the maths quickly and exactly.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks (NumPy's
    default), so p50 of an even-sized sample is the mean of its two middle values."""
    data = sorted(values)
    if not data:
        raise ValueError("percentile of an empty sample")
    if not 0 <= q <= 100:
        raise ValueError("q must be within 0..100")
    position = (len(data) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(data[low])
    return data[low] + (data[high] - data[low]) * (position - low)


def summary(values) -> dict:
    """p50, p95, min, max and count of a sample (milliseconds in, milliseconds out)."""
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "min": float(min(values)),
        "max": float(max(values)),
    }


def pair_ratios(a, b) -> list[float]:
    """a[i] / b[i] for each interleaved pair: both ran back to back, so a slow moment of a
    shared machine tends to hit both sides of the same pair."""
    if len(a) != len(b):
        raise ValueError("both sides need the same number of runs")
    return [x / y for x, y in zip(a, b, strict=True) if y > 0]


@dataclass
class Pairs:
    """Timings (ms) of side A and side B, run alternately after a warm-up."""

    a: list[float]
    b: list[float]

    def as_dict(self) -> dict:
        ratios = pair_ratios(self.a, self.b)
        return {
            "a": summary(self.a),
            "b": summary(self.b),
            "ratio": {"p50": percentile(ratios, 50), "p95": percentile(ratios, 95)},
        }


def timed(fn: Callable[[int], object], i: int) -> float:
    started = time.perf_counter()
    fn(i)
    return (time.perf_counter() - started) * 1000


def interleave(
    a: Callable[[int], object], b: Callable[[int], object], *, pairs: int, warmup: int
) -> Pairs:
    """Warm both sides up, then run A and B alternately, `pairs` times each. The order inside a
    pair swaps every time, so neither side always runs first (right after a cache was filled,
    or right after the other side left the CPU cache warm). Each call gets its index, so a side
    can use a fresh input per run (a cache miss on purpose)."""
    for i in range(warmup):
        a(-1 - i)
        b(-1 - i)
    out_a, out_b = [], []
    for i in range(pairs):
        if i % 2 == 0:
            out_a.append(timed(a, i))
            out_b.append(timed(b, i))
        else:
            out_b.append(timed(b, i))
            out_a.append(timed(a, i))
    return Pairs(out_a, out_b)


# --- targets -----------------------------------------------------------------------------------

OPERATORS = {"<=": lambda v, t: v <= t, ">=": lambda v, t: v >= t}


def check(value: float | None, op: str, target: float) -> bool | None:
    """True when `value op target` holds, None when there is nothing to judge."""
    if value is None:
        return None
    return OPERATORS[op](value, target)


def share_of_target(value: float, op: str, target: float) -> float:
    """How much of its target a figure uses: ≤ 1 is met, whichever way the target points
    (a ceiling: value / target; a floor such as rows per second: target / value)."""
    if op == "<=":
        return value / target if target else math.inf
    return target / value if value else math.inf
