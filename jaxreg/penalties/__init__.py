"""Penalties: separable convex functions with a proximal operator and a conjugate (see :mod:`.base`)."""

from jaxreg.penalties.base import Penalty, ProxPenalty
from jaxreg.penalties.elastic_net import ElasticNet, soft_threshold

__all__ = ["ElasticNet", "Penalty", "ProxPenalty", "soft_threshold"]
