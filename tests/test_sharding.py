"""Several devices (``mesh=``) give the one-device results; memory checks name the option that would fit.

The multi-device checks run in one subprocess with 8 simulated CPU devices
(``XLA_FLAGS=--xla_force_host_platform_device_count=8`` must be set before JAX starts, and this process already
started it with one); the rest runs here, without compiling anything.
"""

import os
import subprocess
import sys
import textwrap

import jax
import numpy as np
import pytest
from jax.sharding import Mesh

import jaxreg
import jaxreg._run
import jaxreg._setup
from jaxreg import _batch, _sharding
from jaxreg._sharding import BatchShape, check_mesh, pad_rows, plan_batch_size, use_gram

X = np.random.default_rng(0).normal(size=(30, 5))
Y = X[:, 0] - 2.0 * X[:, 1] + np.random.default_rng(1).normal(size=30)

MULTI_DEVICE = textwrap.dedent(
    """
    import re
    import jax, numpy as np
    jax.config.update("jax_enable_x64", True)
    assert jax.device_count() == 8, jax.devices()
    import jaxreg, jaxreg._run, jaxreg._batch

    calls = []  # (inputs, outputs) of path()'s core and of vmapped batches: where did the arrays live?
    keywords = []  # their keyword arguments (the static configuration)
    def spy(fn):
        def wrapped(*args, **kwargs):
            out = fn(*args, **kwargs)
            calls.append((args, out))
            keywords.append(kwargs)
            return out
        return wrapped
    jaxreg._run.fit_path = spy(jaxreg._run.fit_path)
    jaxreg._batch.fit_batch = spy(jaxreg._batch.fit_batch)

    def same(a, b, rtol=1e-10):
        np.testing.assert_allclose(a.lambdas, b.lambdas, rtol=1e-12)
        scale = max(np.abs(b.coef).max(), 1.0)
        np.testing.assert_allclose(a.coef, b.coef, rtol=rtol, atol=rtol * scale)
        np.testing.assert_allclose(a.intercept, b.intercept, rtol=rtol, atol=rtol * scale)

    mesh = jax.make_mesh((8,), ("d",))  # explicit axes by default in recent JAX: jaxreg makes them automatic
    rng = np.random.default_rng(0)
    n, p = 101, 12  # 101 rows: padded to 104 on the mesh
    X = rng.normal(size=(n, p))
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=n)
    opts = dict(n_lambdas=20, working_set=None)

    # rows split across devices: least squares on the Gram matrix and on X, and the logistic loss
    for kw in (dict(precompute=True), dict(precompute=False, sample_weight=rng.uniform(0.5, 2.0, n)),
               dict(family="binomial", tol=1e-12)):  # (at the default tol 1e-8, one λ took one more iteration)
        yk = (y > 0).astype(float) if kw.get("family") else y
        same(jaxreg.path(X, yk, mesh=mesh, **opts, **kw), jaxreg.path(X, yk, **opts, **kw))
        x_in = calls[-2][0][0]
        assert x_in.shape == (104, p) and len(x_in.sharding.device_set) == 8, x_in.sharding
        assert x_in.addressable_shards[0].data.shape == (13, p)
        # X stays split: the compiled core gathers nothing larger than one value per device (argmax partials)
        hlo = jaxreg._core.fit_path.lower(*calls[-2][0], **keywords[-2]).compile().as_text()
        gathered = [int(np.prod([int(d) for d in dims.split(",") if d])) for dims in
                    re.findall(r"= [a-z0-9]+\\[([0-9,]*)\\][^ ]* all-gather\\(", hlo)]
        assert max(gathered, default=0) <= 8, gathered

    # a mesh with two axes: rows split along the named one (4 devices), replicated along the other
    same(jaxreg.path(X, y, mesh=jax.make_mesh((4, 2), ("a", "b")), mesh_axis="a", **opts), jaxreg.path(X, y, **opts))
    assert calls[-2][0][0].addressable_shards[0].data.shape == (26, p)
    # a penalty object (its arrays replicated) gives the named penalty's path
    enet = jaxreg.penalties.ElasticNet(np.asarray(1.0), np.ones(p), np.full(p, -np.inf), np.full(p, np.inf))
    same(jaxreg.path(X, y, mesh=mesh, penalty=enet, **opts), jaxreg.path(X, y, **opts))

    # the batch axis split across devices: 5 folds + the full data = 6 fits, padded to 8
    foldid = np.arange(n) % 5
    cv1 = jaxreg.cv_path(X, y, foldid=foldid, **opts)
    cv8 = jaxreg.cv_path(X, y, foldid=foldid, mesh=mesh, **opts)
    np.testing.assert_allclose(cv8.cv_mean, cv1.cv_mean, rtol=1e-10)
    np.testing.assert_allclose(cv8.cv_std, cv1.cv_std, rtol=1e-8)
    np.testing.assert_allclose([cv8.lambda_min, cv8.lambda_1se], [cv1.lambda_min, cv1.lambda_1se], rtol=1e-12)
    args, out = calls[-1]
    assert args[1].shape[0] == 8 and len(args[1].sharding.device_set) == 8
    assert len(out.coef.sharding.device_set) == 8 and not out.coef.sharding.is_fully_replicated  # run split

    W = rng.integers(0, 3, size=(3, n)).astype(float)
    fits = jaxreg.weighted_paths(X, y, W, mesh=mesh, batch_size=2, **opts)
    assert calls[-1][0][1].shape[0] == 8  # batch_size=2 rounded up to the 8 devices
    for a, b in zip(fits, jaxreg.weighted_paths(X, y, W, **opts)):
        same(a, b)
    print("ok")
    """
)


def test_eight_devices_give_one_device_results():
    env = dict(os.environ, XLA_FLAGS=(os.environ.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"),
               JAX_PLATFORMS="cpu")
    out = subprocess.run([sys.executable, "-c", MULTI_DEVICE], env=env, capture_output=True, text=True, timeout=600,
                         check=False)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stdout + out.stderr


def _mesh(*shape, names=("d",)):
    return Mesh(np.array(jax.devices()[:1]).reshape(shape), names)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"mesh": "cpu"}, TypeError, "mesh: expected a jax.sharding.Mesh"),
        ({"mesh": jax.devices()}, TypeError, "mesh:"),
        ({"mesh": _mesh(1), "mesh_axis": "rows"}, ValueError, "mesh_axis: 'rows' is not an axis"),
        ({"mesh": _mesh(1, 1, names=("a", "b"))}, ValueError, "mesh_axis: the mesh has axes"),
        ({"mesh_axis": "d"}, ValueError, "mesh_axis: given without a mesh"),
    ],
)
@pytest.mark.parametrize(
    "fit",
    [jaxreg.path, jaxreg.cv_path, jaxreg.multi_response_path,
     lambda X, y, **kw: jaxreg.weighted_paths(X, y, np.ones((2, 30)), **kw)],
)
def test_bad_mesh_names_the_argument(fit, kwargs, exc, match):
    y = Y[:, None] if fit is jaxreg.multi_response_path else Y
    with pytest.raises(exc, match=match):
        fit(X, y, **kwargs)


def test_check_mesh_makes_axes_automatic_and_picks_the_named_axis():
    m = check_mesh(jax.make_mesh((1,), ("d",)))
    assert m.axis == "d" and m.size == 1
    if hasattr(jax.sharding, "AxisType"):
        assert all(t == jax.sharding.AxisType.Auto for t in m.mesh.axis_types)
    assert check_mesh(_mesh(1, 1, names=("a", "b")), "b").axis == "b"


def test_pad_rows_adds_zero_rows_to_a_multiple():
    x, w = pad_rows(8, np.ones((13, 2)), np.ones(13))
    assert x.shape == (16, 2) and w.shape == (16,) and not x[13:].any() and not w[13:].any()
    (same,) = pad_rows(4, np.ones(8))
    assert same.shape == (8,)


def test_use_gram_only_when_it_fits():
    gb = 40_000 * 40_000 * 8  # 12.8 GB
    assert use_gram("auto", 50_000, 40_000, 8, None) and use_gram("auto", 50_000, 40_000, 8, 2 * gb)
    assert not use_gram("auto", 50_000, 40_000, 8, 8_000_000_000)  # auto iterates on X instead
    assert not use_gram("auto", 10, 20, 8, None) and not use_gram(False, 50_000, 40_000, 8, 1)
    with pytest.raises(ValueError, match=r"precompute: .*40,000×40,000 Gram matrix \(12.8 GB\).*8.0 GB.*"
                                         r"pass precompute=False"):
        use_gram(True, 50_000, 40_000, 8, 8_000_000_000)


def test_plan_batch_size():
    shape = BatchShape.of(10_000, 1_000, 100, 8, "gaussian", gram=True)
    one = shape.problem_bytes()  # 80 MB design twice + 8 MB Gram + (L, p) twice + vectors
    assert one == 8 * (2 * 10_000_000 + 1_000_000 + 200_000 + 80_000)
    avail = int((shape.chunk_bytes(10)) / _sharding.MEMORY_FRACTION)  # exactly 10 problems fit
    assert plan_batch_size(shape, 55, None, 55, 1, None) == 55  # unknown memory: no check
    assert plan_batch_size(shape, 55, None, 55, 1, avail) == 10  # the default shrinks to fit
    assert plan_batch_size(shape, 55, 7, 55, 1, avail) == 7
    assert plan_batch_size(shape, 11, None, 11, 8, None) == 16  # a mesh: padded to a multiple of its devices
    assert plan_batch_size(shape, 55, 3, 1, 8, None) == 8
    assert plan_batch_size(shape, 100, None, 100, 8, avail) == 80  # 10 per device
    with pytest.raises(ValueError, match=r"batch_size: batch_size=20 needs about .* pass batch_size=10\."):
        plan_batch_size(shape, 55, 20, 1, 1, avail)
    with pytest.raises(ValueError, match=r"batch_size: even one problem .* try dtype='float32'"):
        plan_batch_size(shape, 55, None, 1, 1, 10_000_000)
    big_gram = BatchShape.of(1_000, 10_000, 100, 8, "gaussian", gram=True)  # the 800 MB Gram matrix does not fit
    on_x = BatchShape.of(1_000, 10_000, 100, 8, "gaussian", gram=False)
    with pytest.raises(ValueError, match="try precompute=False or dtype='float32'"):
        plan_batch_size(big_gram, 5, None, 1, 1, int(on_x.chunk_bytes(1) / _sharding.MEMORY_FRACTION) + 1)


def test_device_memory_is_known_here():
    assert _sharding.device_memory() > 0


def test_memory_checks_run_before_any_compilation(monkeypatch):
    monkeypatch.setattr(jaxreg._setup, "device_memory", lambda devices=None: 100)
    with pytest.raises(ValueError, match="precompute=False"):
        jaxreg.path(X, Y, precompute=True)
    assert not jaxreg._setup.setup(X, Y).config.gram  # auto: the 5×5 Gram matrix (200 bytes) does not fit in 100
    monkeypatch.setattr(_batch, "device_memory", lambda devices=None: 20_000)
    with pytest.raises(ValueError, match="batch_size=11 needs about"):
        jaxreg.cv_path(X, Y, n_folds=10, batch_size=11, n_lambdas=5)


def test_a_path_that_would_not_fit_is_refused_with_options(monkeypatch):
    from jaxreg._sharding import check_path_memory

    shape = BatchShape.of(100_000, 1_000, 100, 8, "gaussian", gram=True)
    check_path_memory(shape, 1, None, "gaussian")  # unknown memory: no check
    check_path_memory(shape, 1, 10**10, "gaussian")  # 2.4 GB of 10
    with pytest.raises(ValueError, match=r"X: one gaussian path on 100,000 × 1,000 needs about 2\.4 GB per device "
                                         r"but only 2\.0 GB is available; try dtype='float32' or mesh="):
        check_path_memory(shape, 1, 2 * 10**9, "gaussian")
    check_path_memory(shape, 8, 2 * 10**9, "gaussian")  # rows split over 8 devices
    wide = BatchShape.of(1_000, 2_000, 100, 4, "gaussian", gram=True)  # float32, p² > n p: the X form needs less
    with pytest.raises(ValueError, match="try precompute=False or mesh="):
        check_path_memory(wide, 1, 10**7, "gaussian")
    # jaxreg.path checks before it compiles anything (the estimate for this 30 × 5 problem is ~16 kB)
    monkeypatch.setattr(jaxreg._run, "device_memory", lambda devices=None: 10_000)
    with pytest.raises(ValueError, match="X: one binomial path on 30 × 5 needs about"):
        jaxreg.path(X, (Y > 0).astype(float), family="binomial")


def _at_offset(a: np.ndarray, offset: int) -> np.ndarray:
    """A copy of ``a`` starting ``offset`` bytes past a 64-byte boundary."""
    buf = np.empty(a.nbytes + 128, np.uint8)
    start = -buf.ctypes.data % 64 + offset
    out = buf[start:start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def test_to_device_shares_large_aligned_arrays_and_copies_the_others_aligned():
    a = np.random.default_rng(2).normal(size=(400, 400))  # 1.28 MB
    assert a.nbytes >= _sharding.ALIAS_MIN_BYTES
    for arr in (_at_offset(a, 0), _at_offset(a, 8), np.asfortranarray(a), a[:, :300], a[:5]):
        d = _sharding.to_device(arr)
        np.testing.assert_array_equal(np.asarray(d), arr)
        if jax.default_backend() == "cpu" and arr.nbytes >= _sharding.ALIAS_MIN_BYTES:
            assert d.unsafe_buffer_pointer() % 64 == 0
            shared = arr.flags.c_contiguous and arr.ctypes.data % 64 == 0
            assert (d.unsafe_buffer_pointer() == arr.ctypes.data) == shared
