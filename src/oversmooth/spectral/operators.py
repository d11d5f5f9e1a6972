"""The operators spectral analysis works on: :func:`oversmooth.graph.propagation_operator`.

``gcn``, ``sym`` and ``rw`` are sparse CSR tensors; ``sgc`` and ``appnp`` are polynomials
in the ``gcn`` matrix and would be dense, so they are objects that apply themselves to
features (``op @ x``) and densify only on request. Defined in :mod:`oversmooth.graph`;
re-exported here as the spectral package's vocabulary.
"""

from __future__ import annotations

import torch

from .._deprecation import renamed
from ..graph.operators import OPERATORS, APPNPOperator, SGCOperator, propagation_operator

__all__ = ["operator", "OPERATORS", "KINDS", "BASE_KINDS", "SGCOperator", "APPNPOperator"]

#: The operators with a sparse matrix of their own; ``sgc`` and ``appnp`` are built on ``gcn``.
BASE_KINDS = ("gcn", "sym", "rw")
#: Deprecated alias of :data:`OPERATORS`.
KINDS = OPERATORS


def operator(data, operator: str | None = None, *, K: int | None = None, alpha: float = 0.1,
             dtype: torch.dtype = torch.float64, kind: str | None = None):
    """:func:`oversmooth.graph.propagation_operator` (``kind=`` is the deprecated name of ``operator=``)."""
    operator = renamed("kind", "operator", kind, operator, "gcn", "operator")
    return propagation_operator(data, operator, K=K, alpha=alpha, dtype=dtype)
