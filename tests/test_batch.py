"""Batched independent paths (``multi_response_path``, ``weighted_paths``, ``bootstrap_path``) equal separate fits."""

import numpy as np
import pytest

import jaxreg
from reference_np import make_problem

X, Y = make_problem(60, 8, seed=11)


def _same(a, b, rtol=1e-6):
    np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-12)
    scale = max(np.abs(b.coef).max(), 1.0)
    np.testing.assert_allclose(a.coef, b.coef, rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(a.intercept, b.intercept, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("batch_size", [None, 2, 3])
def test_multi_response_equals_separate_paths(batch_size):
    rng = np.random.default_rng(0)
    Ym = np.column_stack([Y, 3.0 * Y + rng.normal(size=60), rng.normal(size=60)])
    fits = jaxreg.multi_response_path(X, Ym, n_lambdas=30, batch_size=batch_size)
    assert len(fits) == 3
    for k, fit in enumerate(fits):
        _same(fit, jaxreg.path(X, Ym[:, k], n_lambdas=30))  # own λmax and early stop per response


def test_multi_response_binomial_keeps_labels_per_column():
    labels = np.column_stack([np.where(Y > 0, "yes", "no"), np.where(Y > 1, "b", "a")])
    fits = jaxreg.multi_response_path(X, labels, family="binomial", n_lambdas=10)
    assert fits[0].classes == ("no", "yes") and fits[1].classes == ("a", "b")
    _same(fits[1], jaxreg.path(X, labels[:, 1], family="binomial", n_lambdas=10), rtol=1e-5)


def test_weighted_paths_with_per_problem_alpha_and_grid():
    rng = np.random.default_rng(1)
    W = rng.integers(0, 3, size=(3, 60)).astype(float)
    alphas = [1.0, 0.5, 0.2]
    grids = np.stack([np.geomspace(2.0, 0.01, 15) * (k + 1) for k in range(3)])
    fits = jaxreg.weighted_paths(X, Y, W, l1_ratio=alphas, lambdas=grids, batch_size=2)
    for k in range(3):
        single = jaxreg.path(X, Y, sample_weight=W[k], l1_ratio=alphas[k], lambdas=grids[k])
        _same(fits[k], single)
        assert fits[k].l1_ratio == alphas[k]


def test_weighted_paths_default_alpha_is_paths():
    """``l1_ratio=None`` means what it means in jaxreg.path: the penalty's default (the lasso here)."""
    W = np.ones((2, 60))
    W[1, :5] = 0.0
    fits = jaxreg.weighted_paths(X, Y, W, l1_ratio=None, n_lambdas=10)
    for k in range(2):
        _same(fits[k], jaxreg.path(X, Y, sample_weight=W[k], l1_ratio=None, n_lambdas=10))
        assert fits[k].l1_ratio == 1.0


def test_vmapped_chunks_keep_the_largest_bucket_and_the_results(monkeypatch):
    """A vmapped chunk iterates in the largest working-set bucket only (every bucket would run under ``vmap``);
    its paths are those of the one-at-a-time fits, which choose among all the buckets per λ."""
    from jaxreg import _batch
    from jaxreg._core import CoreConfig

    assert _batch.batched_config(CoreConfig(working_set=(64, 128, 256))).working_set == (256,)
    assert _batch.batched_config(CoreConfig(working_set=())).working_set == ()
    seen = []
    real = _batch.fit_batch

    def spy(*args, config):
        seen.append(config.working_set)
        return real(*args, config=config)

    monkeypatch.setattr(_batch, "fit_batch", spy)
    Xw, yw = make_problem(120, 400, seed=3)  # p > 256: "auto" gives buckets of 64 and 128 here
    W = np.random.default_rng(2).integers(0, 2, size=(2, 120)).astype(float)
    fits = jaxreg.weighted_paths(Xw, yw, W, n_lambdas=20, batch_size=2, tol=1e-10)
    assert seen == [(128,)]
    for k in range(2):
        _same(fits[k], jaxreg.path(Xw, yw, sample_weight=W[k], n_lambdas=20, tol=1e-10), rtol=1e-5)


def test_bootstrap_counts_and_paths():
    fits, counts = jaxreg.bootstrap_path(X, Y, 4, random_state=0, n_lambdas=12)
    assert counts.shape == (4, 60) and (counts.sum(axis=1) == 60).all()
    # a zero count drops the sample, a count of 2 repeats it
    rows = np.repeat(np.arange(60), counts[2])
    _same(fits[2], jaxreg.path(X[rows], Y[rows], n_lambdas=12))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: jaxreg.multi_response_path(X, Y), "Y"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 5))), "sample_weights"),
        (lambda: jaxreg.weighted_paths(X, Y, -np.ones((2, 60))), r"sample_weights\[0\]: weights must be non-neg"),
        (lambda: jaxreg.weighted_paths(X, Y, np.r_[np.ones((1, 60)), np.zeros((1, 60))]),
         r"sample_weights\[1\]: weights sum to zero"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), l1_ratio=[1.0, 2.0]), "l1_ratio"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), l1_ratio=[1.0, 1.0, 1.0]),
         "l1_ratio: expected one value or 2"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), batch_size=0), "batch_size: expected an integer >= 1"),
        (lambda: jaxreg.multi_response_path(X, np.c_[Y, Y], batch_size=-1), "batch_size"),
        (lambda: jaxreg.bootstrap_path(np.empty((0, 4)), np.empty(0), 2), "X: empty"),
        (lambda: jaxreg.weighted_paths(X, Y, np.ones((2, 60)), lambdas=np.ones((3, 4))), "lambdas"),
        (lambda: jaxreg.weighted_paths(X, (Y > 0), np.r_[np.ones(1), np.zeros(59)][None], family="binomial"),
         "one class"),
        (lambda: jaxreg.weighted_paths(X, np.abs(Y) * (np.arange(60) < 30), (np.arange(60) >= 30)[None] * 1.0,
                                       family="poisson"), "no positive response"),
        (lambda: jaxreg.bootstrap_path(X, Y, 0), "n_replicates"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_cpu_chunks_run_on_several_threads_with_the_same_results(monkeypatch):
    import threading

    from jaxreg import _batch

    W = np.random.default_rng(2).integers(0, 3, size=(5, 60)).astype(float)
    threads = set()
    fit_path = _batch.fit_path

    def spy(*args, **kwargs):
        threads.add(threading.get_ident())
        return fit_path(*args, **kwargs)

    monkeypatch.setattr(_batch, "fit_path", spy)
    monkeypatch.setattr(_batch.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
    pooled = jaxreg.weighted_paths(X, Y, W, l1_ratio=0.5, n_lambdas=20)
    assert len(threads) > 1  # the first chunk on the caller's thread, the others on the pool's
    monkeypatch.setattr(_batch, "concurrent_chunks", lambda *args: 1)
    threads.clear()
    serial = jaxreg.weighted_paths(X, Y, W, l1_ratio=0.5, n_lambdas=20)
    assert threads == {threading.get_ident()}
    for a, b in zip(pooled, serial):
        np.testing.assert_array_equal(a.coef, b.coef)
        np.testing.assert_array_equal(a.n_iter, b.n_iter)


def test_concurrent_chunks_count_cores_and_memory(monkeypatch):
    from jaxreg import _batch
    from jaxreg._sharding import BatchShape

    monkeypatch.setattr(_batch.os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    shape = BatchShape.of(1_000, 500, 100, 8, "gaussian", True)
    assert _batch.concurrent_chunks(shape, 1, 20, None) == 8
    assert _batch.concurrent_chunks(shape, 1, 3, None) == 3  # no more threads than chunks
    assert _batch.concurrent_chunks(shape, 1, 1, None) == 1
    room = shape.chunk_bytes(3) / 0.8  # memory for three problems at a time, not four
    assert _batch.concurrent_chunks(shape, 1, 20, int(room) + 1) == 3
    monkeypatch.setattr(_batch.jax, "default_backend", lambda: "gpu")
    assert _batch.concurrent_chunks(shape, 1, 20, None) == 1
