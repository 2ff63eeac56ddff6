#!/usr/bin/env python3
"""Writes tests/fixtures/numpy_random/*.npz: streams drawn from numpy.random.RandomState that
tests/tasks/test_numpy_random.cpp replays with mnemo's NumpyRandom, bit for bit.

Run with a Python that has numpy (e.g. Debian's /usr/bin/python3 + python3-numpy):
    /usr/bin/python3 tests/tasks/make_numpy_random_fixtures.py
RandomState streams are frozen by numpy's compatibility policy (NEP 19), so the files do not
depend on the numpy version. Each seed<S>.npz holds (all int64 or float64, in draw order):
  key          [624]  the MT19937 key right after RandomState(S)
  sample       [1500] random_sample()
  uniform      [400]  uniform(lo, hi) for the (lo, hi) pairs in uniform_bounds [400, 2]
  normal       [801]  standard_normal(801) (odd: one deviate stays cached), then
  normal_after [20]   normal(2.0, 0.5) twice, then randn() x 18 -- the first uses the cache
  exponential  [400]  exponential(scale) for the scales in exponential_scale
  randint      [K]    randint(lo, hi) for the (lo, hi) pairs in randint_bounds [K, 2]
  choice_p     [300]  choice(len(p), p=p) for p = choice_p_probs
  perm         [..]   permutation(n) for n = 1..12 then 100, concatenated
  noreplace    [..]   choice(4, 4, replace=False), choice(3, 2, replace=False) x 20
  mixed        [..]   an interleaving of randn / rand / randint / exponential / choice
  state_key / state_pos / state_has_gauss / state_gauss: get_state() after all of the above
Plus array_seeds.npz: RandomState([w...]) for a few word lists (words_<i>, sample_<i>).
"""
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "numpy_random")
SEEDS = [0, 1, 12345, 4294967295]


def seed_file(seed):
    rs = np.random.RandomState(seed)
    out = {"key": rs.get_state()[1].astype(np.int64)}
    out["sample"] = np.array([rs.random_sample() for _ in range(1500)])
    ub = np.array([[200.0, 500.0], [-1e-6, 1e-6], [0.0, 1.0], [1000.0, 3000.0], [-3.5, 2.25]])
    bounds = ub[np.arange(400) % len(ub)]
    out["uniform_bounds"] = bounds
    out["uniform"] = np.array([rs.uniform(lo, hi) for lo, hi in bounds])
    out["normal"] = rs.standard_normal(801)
    after = [rs.normal(2.0, 0.5), rs.normal(2.0, 0.5)] + [rs.randn() for _ in range(18)]
    out["normal_after"] = np.array(after)
    scales = np.array([600.0, 1.0, 180.0, 1350.0])[np.arange(400) % 4]
    out["exponential_scale"] = scales
    out["exponential"] = np.array([rs.exponential(s) for s in scales])
    pairs = []
    for hi in [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1000, 2**31 - 1, 2**31, 2**32 - 1, 2**32,
               2**32 + 5, 2**40 + 3, 2**62]:
        pairs += [(0, hi)] * 30
    pairs += [(-5, 5)] * 30 + [(10, 21)] * 30 + [(-(2**40), 2**40)] * 10
    out["randint_bounds"] = np.array(pairs, dtype=np.int64)
    out["randint"] = np.array([rs.randint(lo, hi) for lo, hi in pairs], dtype=np.int64)
    p = np.array([0.1, 0.25, 0.05, 0.4, 0.2])
    out["choice_p_probs"] = p
    out["choice_p"] = np.array([rs.choice(len(p), p=p) for _ in range(300)], dtype=np.int64)
    out["perm"] = np.concatenate([rs.permutation(n) for n in list(range(1, 13)) + [100]]).astype(np.int64)
    nr = []
    for _ in range(20):
        nr += list(rs.choice(4, 4, replace=False)) + list(rs.choice(range(3), 2, replace=False))
    out["noreplace"] = np.array(nr, dtype=np.int64)
    mixed = []
    for i in range(200):
        mixed.append(rs.randn())
        mixed.append(rs.rand())
        mixed.append(float(rs.randint(0, 3 + i % 5)))
        mixed.append(rs.exponential(2.0))
        mixed.append(float(rs.choice([10, 20, 30])))
        mixed.extend(rs.randn(i % 3 + 1).tolist())
    out["mixed"] = np.array(mixed)
    st = rs.get_state()
    out["state_key"] = st[1].astype(np.int64)
    out["state_pos"] = np.array(st[2], dtype=np.int64)
    out["state_has_gauss"] = np.array(st[3], dtype=np.int64)
    out["state_gauss"] = np.array(st[4], dtype=np.float64)
    return out


def array_seeds():
    lists = [[0], [1, 2, 3], [123456789, 987654321], [4294967295] * 700, list(range(10))]
    out = {}
    for i, words in enumerate(lists):
        rs = np.random.RandomState(np.array(words, dtype=np.int64))
        out[f"words_{i}"] = np.array(words, dtype=np.int64)
        out[f"sample_{i}"] = rs.random_sample(700)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    for s in SEEDS:
        np.savez(os.path.join(OUT, f"seed{s}.npz"), **seed_file(s))
    np.savez(os.path.join(OUT, "array_seeds.npz"), **array_seeds())
    print(f"wrote {len(SEEDS) + 1} files to {os.path.normpath(OUT)} (numpy {np.__version__})",
          file=sys.stderr)


if __name__ == "__main__":
    main()
