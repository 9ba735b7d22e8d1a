"""A weighted draw that is cheap enough for hundreds of thousands of draws (`random.choices`
builds its cumulative weights on every call)."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """Options with weights; `draw(rng)` picks one with one `rng.random()`."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.options = [option for option, _ in pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> T:
        return self.options[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number in [low, high] (like `randint`, with one `rng.random()`: several times faster)."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """One of `options` (like `rng.choice`, with one `rng.random()`)."""
    return options[int(rng.random() * len(options))]
