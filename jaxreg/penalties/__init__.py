"""Penalties: convex functions with a proximal operator and a conjugate (see :mod:`.base`)."""

from jaxreg.penalties.base import Penalty, ProxPenalty
from jaxreg.penalties.elastic_net import ElasticNet, soft_threshold
from jaxreg.penalties.group import SparseGroup

__all__ = ["ElasticNet", "Penalty", "ProxPenalty", "SparseGroup", "soft_threshold"]
