"""The filter's cache of opened values (keys/access/filter.py ``_OpenedCache``) keeps its memory bound:
what it counts is what it holds, values and what is derived from them, and it never holds more than
the bound docs/confidentiality.md states (about 256 MiB per process, an opened value weighed at four
times its ciphertext). Found by the mutation run: the accounting had no test of its own."""

from __future__ import annotations

from keys.access.filter import _OpenedCache

MIB = 1024 * 1024
BOUND = 256 * MIB  # docs/confidentiality.md
GENERATION = 7


def key(n: int) -> tuple:
    return (bytes([n]) * 32, f"registry/report/{n}/links", "owner")


def test_values_and_what_is_derived_from_them_are_counted_and_uncounted_when_dropped():
    cache = _OpenedCache()
    cache.put(key(1), "k1", "value one", 1_000, GENERATION)
    cache.put(key(2), "k2", "value two", 3_000, GENERATION)
    assert cache.size() == 4_000
    cache.put(key(1), "k1", "value one", 1_000, GENERATION)  # already kept: not counted twice
    assert cache.size() == 4_000
    cache.put_derived(key(1), "rows of one")
    assert cache.size() == 5_000  # a derived value weighs as its value
    cache.put_derived(key(1), "rows of one, again")  # in place of the one before
    assert cache.size() == 5_000
    assert cache.derived(key(1)) == "rows of one, again"
    cache.put_derived(key(9), "rows of nothing kept")
    assert (cache.size(), cache.derived(key(9))) == (5_000, None)
    cache.drop(key(1))
    assert cache.size() == 3_000
    assert cache.derived(key(1)) is None
    cache.drop(key(2))
    assert cache.size() == 0
    cache.drop(key(2))
    assert cache.size() == 0


def test_the_bound_is_256_mib_and_the_least_recently_used_goes_first():
    cache = _OpenedCache()
    cache.put(key(1), "k1", "too big", BOUND + 1, GENERATION)
    assert cache.size() == 0
    cache.put(key(2), "k2", "exactly the bound", BOUND, GENERATION)
    assert cache.size() == BOUND
    cache.put(key(3), "k3", "half", BOUND // 2, GENERATION)  # the first goes
    assert cache.size() == BOUND // 2
    assert cache.get(key(2), GENERATION) is None
    cache.put(key(4), "k4", "the other half", BOUND // 2, GENERATION)
    assert cache.size() == BOUND
    assert cache.get(key(3), GENERATION) == ("k3", "half")  # used: now the most recent
    cache.put(key(5), "k5", "a little", 1, GENERATION)
    assert cache.get(key(4), GENERATION) is None  # the least recently used went
    assert cache.get(key(3), GENERATION) == ("k3", "half")
    assert cache.size() == BOUND // 2 + 1


def test_a_new_key_generation_empties_the_cache_and_its_count():
    cache = _OpenedCache()
    cache.put(key(1), "k1", "value", 1_000, GENERATION)
    cache.put_derived(key(1), "rows")
    assert cache.get(key(1), GENERATION + 1) is None
    assert cache.size() == 0
    assert cache.derived(key(1)) is None
    cache.put(key(2), "k2", "value", 500, GENERATION + 1)
    assert cache.size() == 500
    fresh = _OpenedCache()
    assert fresh.size() == 0
    fresh.put(key(1), "k1", "value", 10, 0)  # any first generation, 0 included
    assert fresh.get(key(1), 0) == ("k1", "value")
