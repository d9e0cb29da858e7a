"""scikit-learn estimators over :func:`jaxreg.path` and :func:`jaxreg.cv_path`.

``Lasso``, ``ElasticNet``, ``Ridge``, ``LassoCV``, ``ElasticNetCV``, ``LogisticRegression``,
``LogisticRegressionCV`` and ``PoissonRegressor`` solve the objectives of scikit-learn's estimators of the same
names, with their parameter names, defaults and fitted attributes (each docstring states its objective and how its
parameters map to jaxreg's), so that they work in ``Pipeline``, ``GridSearchCV``, ``cross_val_score`` …
Differences: ``max_iter`` counts proximal-gradient (FISTA) iterations and defaults to 10 000; the ``tol`` of
``Ridge``, ``PoissonRegressor`` and of the logistic estimators is jaxreg's duality-gap tolerance (default:
jaxreg's); with more than two classes the logistic estimators are multinomial, as scikit-learn's; the columns of
``X`` are not standardized unless ``standardize=True``
(lasso and elastic net). Needs scikit-learn ≥ 1.6
(``pip install jaxreg[sklearn]``); ``import jaxreg`` alone does not import it.

>>> from jaxreg.sklearn import Lasso
>>> import jaxreg
>>> X, y, _ = jaxreg.datasets.load_diabetes()
>>> Lasso(alpha=0.5).fit(X, y).coef_.shape
(10,)
"""

try:
    import sklearn  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("jaxreg.sklearn needs scikit-learn >= 1.6: pip install 'jaxreg[sklearn]'.") from exc

from jaxreg.sklearn._linear import ElasticNet, Lasso, Ridge
from jaxreg.sklearn._linear_cv import ElasticNetCV, LassoCV
from jaxreg.sklearn._logistic import LogisticRegression
from jaxreg.sklearn._logistic_cv import LogisticRegressionCV
from jaxreg.sklearn._poisson import PoissonRegressor

__all__ = ["ElasticNet", "ElasticNetCV", "Lasso", "LassoCV", "LogisticRegression", "LogisticRegressionCV",
           "PoissonRegressor", "Ridge"]
