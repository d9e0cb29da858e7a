"""README's Quick start has exactly two commands, and .ci/run runs the test one verbatim."""

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
