"""The draw is uniform within each stratum: a chi-square test over many seeds (issue 16 acceptance).

A frame of 60 links in three strata (ZW 10, CN 20, IN 30) is sampled 12 at a time under 3000 seeds,
each the seed of the documented procedure for another beacon value. The allocation is exact (12 *
10/60 = 2, 4, 6), so every link of a stratum of N_h links should be chosen with probability
p = n_h / N_h = 1/5, about 600 times in 3000 draws.

Each draw chooses n_h links of the stratum without replacement, so the counts are not multinomial:
over T draws, Var(count) = T p (1 - p) and Cov = -T p (1 - p) / (N_h - 1). Pearson's sum
(O - E)^2 / E then follows (1 - p) N_h / (N_h - 1) times a chi-square with N_h - 1 degrees of
freedom; dividing by that factor gives the statistic tested here:

    X^2 = sum (O_i - T p)^2 / (T p (1 - p)) * (N_h - 1) / N_h,  df = N_h - 1

compared with the upper 0.1% points of the chi-square distribution, from a standard table (e.g. the
NIST/SEMATECH e-Handbook of Statistical Methods, table 1.3.6.7.4): df 2: 13.816, df 9: 27.877,
df 19: 43.820, df 29: 58.301. The seeds are fixed, so the test is deterministic: a uniform draw
fails it for one set of seeds in a thousand; a biased one (see the last test) fails it by far.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence

from registry.domain.sampling import Dimension, FrameEntry, allocate, draw, draw_seed, frame_digest

DRAWS = 3000
SAMPLE = 12
STRATA = {"ZW": 10, "CN": 20, "IN": 30}
ALLOCATION = {"ZW": 2, "CN": 4, "IN": 6}  # 12 * 10/60, 12 * 20/60, 12 * 30/60
CRITICAL_0_001 = {2: 13.816, 9: 27.877, 19: 43.820, 29: 58.301}  # chi-square upper 0.1% points, by df

FRAME = [
    FrameEntry(f"{country}{number:030x}".lower(), country, "quarry", "claimed")
    for country, size in STRATA.items()
    for number in range(size)
]
DIGEST = frame_digest(FRAME)
SEEDS = [draw_seed(DIGEST, f"beacon value {number}") for number in range(DRAWS)]

Drawer = Callable[[Sequence[FrameEntry], str], list[FrameEntry]]


def _by_country(entries: Sequence[FrameEntry], seed: str) -> list[FrameEntry]:
    return draw(entries, [Dimension.COUNTRY], SAMPLE, seed)


@functools.cache  # the uniform draws are counted once for the two tests that read them
def _counts(drawer: Drawer) -> tuple[Counter[str], list[Counter[str]]]:
    chosen: Counter[str] = Counter()
    per_draw = []
    for seed in SEEDS:
        sample = drawer(FRAME, seed)
        chosen.update(entry.token for entry in sample)
        per_draw.append(Counter(entry.country for entry in sample))
    return chosen, per_draw


def _statistic(counts: list[int], picked: int) -> float:
    size = len(counts)
    p = picked / size
    expected = DRAWS * p
    pearson = sum((count - expected) ** 2 for count in counts) / (expected * (1 - p))
    return pearson * (size - 1) / size


def _stratum_counts(chosen: Counter[str], country: str) -> list[int]:
    return [chosen[entry.token] for entry in FRAME if entry.country == country]


def test_every_draw_takes_exactly_each_stratums_allocation():
    _, per_draw = _counts(_by_country)
    assert all(counts == Counter(ALLOCATION) for counts in per_draw)


def test_within_each_stratum_every_link_is_equally_likely_to_be_drawn():
    chosen, _ = _counts(_by_country)
    for country, size in STRATA.items():
        counts = _stratum_counts(chosen, country)
        assert sum(counts) == DRAWS * ALLOCATION[country]
        statistic = _statistic(counts, ALLOCATION[country])
        assert statistic < CRITICAL_0_001[size - 1], (country, statistic, counts)


def test_a_tie_in_the_allocation_goes_to_each_tied_stratum_equally_often():
    # 4 of 9 over three strata of 3: whole parts 1, 1, 1 and one unit left, a three-way tie every time.
    # Broken by name, one country would win all 3000; by the seed, each wins about 1000 (multinomial,
    # df 2).
    sizes = {("CN",): 3, ("IN",): 3, ("ZW",): 3}
    winners = Counter(
        next(stratum for stratum, count in allocate(sizes, 4, seed).items() if count == 2) for seed in SEEDS
    )
    expected = DRAWS / 3
    statistic = sum((winners[stratum] - expected) ** 2 / expected for stratum in sizes)
    assert statistic < CRITICAL_0_001[2], winners


def test_the_statistic_rejects_a_biased_draw():
    # The same allocation, but one link in each stratum never drawn (every other equally likely):
    # the test must tell this apart from a uniform draw, or it proves nothing.
    never = {entry.token for entry in FRAME if entry.token.endswith("0" * 30)}

    def biased(entries: Sequence[FrameEntry], seed: str) -> list[FrameEntry]:
        rest = [entry for entry in entries if entry.token not in never]
        return draw(rest, [Dimension.COUNTRY], SAMPLE, seed)

    chosen, per_draw = _counts(biased)
    assert all(counts == Counter(ALLOCATION) for counts in per_draw)  # the allocation itself is unchanged
    for country, size in STRATA.items():
        assert _statistic(_stratum_counts(chosen, country), ALLOCATION[country]) > CRITICAL_0_001[size - 1], country
