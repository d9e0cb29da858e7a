"""Solver adapters ("peers"): one module per solver, all following :class:`benchmarks.peers.base.Peer`."""

from __future__ import annotations

from benchmarks.peers.adelie_peer import AdeliePeer
from benchmarks.peers.base import InProcessPeer, Peer, Run, Solution
from benchmarks.peers.celer_peer import CelerPeer
from benchmarks.peers.glmnet_peer import GlmnetPeer
from benchmarks.peers.jaxreg_peer import JaxregFloat32Peer, JaxregPeer
from benchmarks.peers.skglm_peer import SkglmPeer
from benchmarks.peers.sklearn_peer import SklearnPeer

#: Every solver the harness knows, by command-line name (jaxreg first: it is what is being measured).
PEERS: dict[str, type[Peer]] = {
    cls.name: cls
    for cls in (JaxregPeer, JaxregFloat32Peer, SklearnPeer, CelerPeer, SkglmPeer, GlmnetPeer, AdeliePeer)
}
#: Solvers run when ``--solvers`` is not given (jaxreg-f32 is for accelerators: see gpu.sh).
DEFAULT_SOLVERS: tuple[str, ...] = ("jaxreg", "sklearn", "celer", "skglm", "glmnet", "adelie")
#: Names that are jaxreg itself, not peers: they never set the "fastest peer" baseline.
JAXREG_SOLVERS: frozenset[str] = frozenset({"jaxreg", "jaxreg-f32"})

__all__ = ["DEFAULT_SOLVERS", "JAXREG_SOLVERS", "PEERS", "InProcessPeer", "Peer", "Run", "Solution"]
