"""A case's own uniform draw (``scenarios.draws.case_uniform``): fixed by its stream, the seed
and the case's id, even over the cases, and independent from one stream or seed to another."""

from __future__ import annotations

import numpy as np
from scipy import stats

from scenarios.draws import case_uniform

CASES = range(1, 20_001)


def test_a_case_draws_the_same_number_whatever_was_drawn_before() -> None:
    first = case_uniform(b"tribunal", 7, 1234)
    for case_id in range(1, 100):
        case_uniform(b"tribunal", 7, case_id)
    assert case_uniform(b"tribunal", 7, 1234) == first


def test_the_numbers_are_even_over_0_to_1_and_differ_by_stream_and_seed() -> None:
    draws = {
        (stream, seed): np.array([case_uniform(stream, seed, i) for i in CASES])
        for stream in (b"tribunal", b"closures")
        for seed in (0, 1)
    }
    for u in draws.values():
        assert u.min() >= 0 and u.max() < 1
        assert stats.kstest(u, "uniform").pvalue > 0.001
    tribunal, closures = draws[b"tribunal", 0], draws[b"closures", 0]
    assert abs(np.corrcoef(tribunal, closures)[0, 1]) < 0.05
    assert abs(np.corrcoef(tribunal, draws[b"tribunal", 1])[0, 1]) < 0.05
    # a case's draw does not follow its neighbour's
    assert abs(np.corrcoef(tribunal[:-1], tribunal[1:])[0, 1]) < 0.05
