"""Pillar's evaluation statistics (`pillar eval reference statistics`) against scipy 1.17 and numpy.

The Swift side draws its own random numbers (SplitMix64), so Monte Carlo results can only agree with scipy's
within sampling noise; each tolerance below says how large that noise is. Exact results (the permutation test
for n <= 16, Spearman, kappa, pass^k) must agree to 1e-9.
"""
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
from scipy import special, stats

RESAMPLES = 10_000


def statistics_command() -> list[str]:
    binary = os.environ.get("PILLAR_BIN")
    if binary:
        return [binary, "eval", "reference", "statistics"]
    return [str(Path(__file__).resolve().parents[2] / ".build" / "debug" / "evalref"), "statistics"]


def reference(cases: list[dict]) -> list[dict]:
    completed = subprocess.run(statistics_command(), input=json.dumps({"cases": cases}), capture_output=True,
                               text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)["results"]
    assert len(results) == len(cases)
    return results


def paired_samples(rng: np.random.Generator, n: int, integer: bool, shift: float = 0.2):
    """Baseline and candidate scores, the candidate better by about `shift`; integer ones (1-5, as judges
    give) are full of ties."""
    if integer:
        baseline = rng.integers(1, 6, n)
        candidate = np.clip(baseline + rng.integers(-2, 3, n) + (rng.random(n) < 2 * shift), 1, 5)
    else:
        baseline = rng.normal(3, 1, n)
        candidate = baseline + rng.normal(shift, 1, n)
    return baseline.astype(float), candidate.astype(float)


def test_bootstrap_interval_matches_scipy_percentile():
    rng = np.random.default_rng(20261204)
    samples = [(n, integer) for n in (5, 12, 30, 100) for integer in (False, True)]
    drawn = [paired_samples(rng, n, integer) for n, integer in samples]
    cases = [{"kind": "bootstrap", "baseline": b.tolist(), "candidate": c.tolist(), "resamples": RESAMPLES,
              "seed": 1000 + index} for index, (b, c) in enumerate(drawn)]
    for (n, integer), (baseline, candidate), result in zip(samples, drawn, reference(cases)):
        d = candidate - baseline
        expected = stats.bootstrap((d,), np.mean, n_resamples=RESAMPLES, method="percentile",
                                   confidence_level=0.95, rng=np.random.default_rng(n)).confidence_interval
        # The bootstrap distribution of the mean has SD s = std(d) / sqrt(n). A 2.5% quantile estimated from
        # B draws has standard error sqrt(q (1 - q) / B) / f(x_q), about 2.67 s / sqrt(B) = 0.027 s for a
        # near-normal distribution; two independent estimates differ by about 0.038 s, so 0.2 s is over
        # 5 standard errors. Integer data make the distribution lumpy (atoms 1/n apart), and two samplers may
        # settle on neighbouring atoms: allow one atom more.
        s = np.std(d) / math.sqrt(n)
        tolerance = 0.2 * s + (1 / n if integer else 0)
        assert abs(result["low"] - expected.low) <= tolerance, (n, integer, result, expected)
        assert abs(result["high"] - expected.high) <= tolerance, (n, integer, result, expected)
        assert result["low"] <= np.mean(d) <= result["high"]


def test_bootstrap_undefined_and_constant():
    results = reference([
        {"kind": "bootstrap", "baseline": [1.0], "candidate": [2.0]},
        {"kind": "bootstrap", "baseline": [], "candidate": []},
        {"kind": "bootstrap", "baseline": [1, 2, 3], "candidate": [1.5, 2.5, 3.5], "resamples": 100},
    ])
    assert results[0] == {"low": None, "high": None}
    assert results[1] == {"low": None, "high": None}
    assert results[2] == {"low": 0.5, "high": 0.5}


def scipy_permutation_p(d: np.ndarray, n_resamples=np.inf, seed=0) -> float:
    return float(stats.permutation_test((d,), np.mean, permutation_type="samples", alternative="two-sided",
                                        n_resamples=n_resamples, rng=np.random.default_rng(seed)).pvalue)


def test_permutation_exact_equals_scipy_for_small_n():
    rng = np.random.default_rng(7)
    drawn = []
    for n in (2, 3, 5, 8, 12, 16):
        for integer in (False, True):
            drawn.append(paired_samples(rng, n, integer, shift=0.5))
    # Every difference equal, and every difference 0.
    drawn.append((np.zeros(6), np.full(6, 0.5)))
    drawn.append((np.arange(6.0), np.arange(6.0)))
    cases = [{"kind": "permutation", "baseline": b.tolist(), "candidate": c.tolist()} for b, c in drawn]
    for (baseline, candidate), result in zip(drawn, reference(cases)):
        expected = scipy_permutation_p(candidate - baseline)
        assert abs(result["p"] - expected) <= 1e-9, (candidate - baseline, result, expected)


def test_permutation_monte_carlo_agrees_with_scipy_within_sampling_noise():
    rng = np.random.default_rng(11)
    drawn = [paired_samples(rng, n, integer, shift=0.15) for n, integer in ((18, False), (18, True), (40, False),
                                                                           (40, True), (200, False))]
    cases = [{"kind": "permutation", "baseline": b.tolist(), "candidate": c.tolist(), "resamples": RESAMPLES,
              "seed": 500 + index} for index, (b, c) in enumerate(drawn)]
    for (baseline, candidate), result in zip(drawn, reference(cases)):
        d = candidate - baseline
        if len(d) <= 18:
            # scipy enumerates all 2^18 patterns: only our sampling noise, variance p (1 - p) / B.
            expected = scipy_permutation_p(d)
            variance = expected * (1 - expected) / RESAMPLES
        else:
            # Both sample. scipy doubles its smaller tail estimate: variance 4 (p/2)(1 - p/2) / B.
            expected = scipy_permutation_p(d, n_resamples=RESAMPLES, seed=len(d))
            variance = (expected * (1 - expected) + expected * (2 - expected)) / RESAMPLES
        # 5 standard deviations, plus the (count + 1) / (B + 1) offsets of the two estimators.
        tolerance = 5 * math.sqrt(variance) + 2 / RESAMPLES
        assert abs(result["p"] - expected) <= tolerance, (len(d), result, expected, tolerance)


def test_permutation_undefined_and_single_pair():
    # scipy needs 2 observations; with 1 the two sign patterns are equally extreme, so p is 1.
    results = reference([{"kind": "permutation", "baseline": [], "candidate": []},
                         {"kind": "permutation", "baseline": [1.0], "candidate": [3.5]}])
    assert results == [{"p": None}, {"p": 1.0}]


def test_spearman_equals_scipy():
    rng = np.random.default_rng(3)
    drawn = []
    for n in (2, 3, 10, 50, 300):
        drawn.append((rng.normal(size=n), rng.normal(size=n)))
        drawn.append((rng.integers(1, 6, n).astype(float), rng.integers(1, 4, n).astype(float)))
    drawn.append((np.array([1.0, 2.0, 3.0]), np.array([4.0, 4.0, 4.0])))
    cases = [{"kind": "spearman", "x": x.tolist(), "y": y.tolist()} for x, y in drawn]
    for (x, y), result in zip(drawn, reference(cases)):
        expected = stats.spearmanr(x, y).statistic if len(set(x)) > 1 and len(set(y)) > 1 else math.nan
        if math.isnan(expected):
            assert result["rho"] is None, (x, y, result)
        else:
            assert abs(result["rho"] - expected) <= 1e-9, (x, y, result, expected)
    assert reference([{"kind": "spearman", "x": [1.0], "y": [2.0]}]) == [{"rho": None}]


def numpy_cohen_kappa(a: np.ndarray, b: np.ndarray):
    """Cohen (1960): (p_o - p_e) / (1 - p_e) from the confusion matrix; None when p_e is 1."""
    labels = np.union1d(a, b)
    matrix = np.array([[np.sum((a == row) & (b == column)) for column in labels] for row in labels], dtype=float)
    n = matrix.sum()
    observed = np.trace(matrix) / n
    expected = np.sum(matrix.sum(axis=1) * matrix.sum(axis=0)) / n ** 2
    return None if expected == 1 else (observed - expected) / (1 - expected)


def test_kappa_equals_cohens_definition():
    rng = np.random.default_rng(5)
    drawn = []
    for n in (1, 2, 5, 30, 200):
        drawn.append((rng.integers(0, 3, n), rng.integers(0, 3, n)))
        agreeing = rng.integers(0, 2, n)
        drawn.append((agreeing, np.where(rng.random(n) < 0.8, agreeing, 1 - agreeing)))
    drawn.append((np.ones(4, dtype=int), np.ones(4, dtype=int)))
    cases = [{"kind": "kappa", "a": a.tolist(), "b": b.tolist()} for a, b in drawn]
    for (a, b), result in zip(drawn, reference(cases)):
        expected = numpy_cohen_kappa(a, b)
        if expected is None:
            assert result["kappa"] is None, (a, b, result)
        else:
            assert abs(result["kappa"] - expected) <= 1e-9, (a, b, result, expected)
    booleans = reference([{"kind": "kappa", "a": [True, True, False, False], "b": [True, False, False, False]}])
    assert abs(booleans[0]["kappa"] - numpy_cohen_kappa(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0]))) <= 1e-9


def test_pass_hat_k_equals_the_combinatorial_estimate():
    rng = np.random.default_rng(9)
    cases, expectations = [], []
    for items in (1, 4, 25):
        trials = rng.integers(1, 9, items)
        successes = rng.integers(0, trials + 1)
        for k in (1, 2, 3, 5, 8):
            cases.append({"kind": "pass_k", "successes": successes.tolist(), "trials": trials.tolist(), "k": k})
            ratios = [special.comb(c, k) / special.comb(n, k) for c, n in zip(successes, trials) if n >= k]
            expectations.append(float(np.mean(ratios)) if ratios else None)
    for case, result, expected in zip(cases, reference(cases), expectations):
        if expected is None:
            assert result["pass_k"] is None, (case, result)
        else:
            assert abs(result["pass_k"] - expected) <= 1e-9, (case, result, expected)


def test_bad_input_is_a_clear_error():
    completed = subprocess.run(statistics_command(), input='{"cases":[{"kind":"median"}]}', capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode != 0
    assert "unknown kind" in completed.stderr
