"""README's Quick start has exactly two commands, and .ci/run runs the test one verbatim; README's examples run."""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _quick_start_commands():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, flags=re.S)


def test_two_commands_and_ci_runs_the_test_one():
    cmds = _quick_start_commands()
    assert len(cmds) == 2 and all("\n" not in c for c in cmds)
    assert "jaxreg demo" in cmds[0]
    assert "pytest" in cmds[1]
    assert cmds[1] in (ROOT / ".ci" / "run").read_text()


def test_research_api_example_runs():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Research API", 1)[1].split("\n### ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)\n```", section, flags=re.S)
    namespace: dict = {}
    exec(compile(code, "README research example", "exec"), namespace)  # noqa: S102
    sp = namespace["sp"]
    assert bool(sp.converged.all()) and int(sp.n_nonzero[0]) == 0 and int(sp.n_nonzero[-1]) == 10
    grad = namespace["jax"].grad(namespace["validation_loss"])(1.0)
    assert float(grad) < 0  # more shrinkage, smaller coefficients


def test_adaptive_lasso_recipe_is_a_lasso_on_reweighted_columns():
    """The README's adaptive lasso: penalty factors pf (rescaled to sum to p) on the standardized coefficients are a
    plain lasso on the standardized columns divided by pf, its coefficients divided by pf again."""
    import numpy as np

    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Adaptive lasso", 1)[1].split("\n### ", 1)[0]
    (code,) = re.findall(r"```python\n(.*?)\n```", section, flags=re.S)
    ns: dict = {}
    exec(compile(code, "README adaptive lasso", "exec"), ns)  # noqa: S102
    X, y, fit, weights, jaxreg = ns["X"], ns["y"], ns["fit"], ns["weights"], ns["jaxreg"]
    p = X.shape[1]
    pf = weights * p / weights.sum()
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / sd / pf
    plain = jaxreg.path(Z, y, lambdas=fit.lambdas, standardize=False, tol=1e-12)
    tight = jaxreg.path(X, y, penalty_factor=weights, lambdas=fit.lambdas, tol=1e-12)
    assert fit.converged.all() and fit.df[0] == 0 and fit.df[-1] == p
    np.testing.assert_allclose(tight.coef, plain.coef / pf / sd, atol=1e-6 * np.abs(tight.coef).max())
    np.testing.assert_allclose(fit.coef, tight.coef, atol=1e-3 * np.abs(tight.coef).max())
