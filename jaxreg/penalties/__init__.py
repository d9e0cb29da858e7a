"""Penalties: convex functions with a proximal operator and a conjugate, and folded concave ones (MCP, SCAD) with a
convex majorant (see :mod:`.base`)."""

from jaxreg.penalties.base import Penalty, ProxPenalty
from jaxreg.penalties.concave import FoldedConcave
from jaxreg.penalties.elastic_net import ElasticNet, soft_threshold
from jaxreg.penalties.group import SparseGroup

__all__ = ["ElasticNet", "FoldedConcave", "Penalty", "ProxPenalty", "SparseGroup", "soft_threshold"]
