"""Losses (datafits): smooth convex functions of the coefficients with the data closed over (see :mod:`.base`)."""

from jaxreg.losses.base import Loss
from jaxreg.losses.binomial import Binomial
from jaxreg.losses.cox import Cox
from jaxreg.losses.gaussian import GaussianGram, GaussianX
from jaxreg.losses.mgaussian import MGaussianGram, MGaussianX
from jaxreg.losses.multinomial import Multinomial
from jaxreg.losses.poisson import Poisson

#: The families :func:`jaxreg.path` accepts today.
SUPPORTED_FAMILIES = ("gaussian", "binomial", "poisson", "multinomial", "mgaussian", "cox")

__all__ = ["Binomial", "Cox", "GaussianGram", "GaussianX", "Loss", "MGaussianGram", "MGaussianX", "Multinomial",
           "Poisson", "SUPPORTED_FAMILIES"]
