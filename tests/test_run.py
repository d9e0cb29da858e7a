"""jaxreg._run: the compiled core's arguments by name."""

import inspect

import numpy as np

from jaxreg._core import fit_path
from jaxreg._run import CoreArgs, core_args
from jaxreg._setup import setup


def test_core_args_name_fit_paths_parameters_in_order():
    # run() calls fit_path(*args, ...) and the batch picks arguments by name: both rely on this order
    params = list(inspect.signature(fit_path).parameters)
    assert list(CoreArgs._fields) == params[: len(CoreArgs._fields)]
    assert set(CoreArgs.ROWS) <= set(CoreArgs._fields)


def test_core_args_carry_the_validated_call():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((30, 4)), rng.standard_normal(30)
    offset = rng.standard_normal(30)
    s = setup(X, y, n_lambdas=7, l1_ratio=0.5, offset=offset, tol=1e-7, max_iter=123, dtype="float32")
    args, custom = core_args(s)
    assert custom is None
    assert all(a.dtype == np.float32 for a in args if a.dtype.kind == "f")
    assert args.max_iter == 123 and args.max_iter.dtype == np.int32
    np.testing.assert_allclose(args.offset, offset, rtol=1e-6)
    assert args.lambdas.shape == (7,) and float(args.l1_ratio) == 0.5
    np.testing.assert_allclose(float(args.tol), 1e-7, rtol=1e-6)
    assert args.x.shape == (30, 4) and args.weights.shape == (30,)
