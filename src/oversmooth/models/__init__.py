"""Deep GNN model zoo: ``build(name, in_channels, hidden_channels, out_channels, depth, **options)``.

Every model is a :class:`LayerTaps` whose ``forward(x, edge_index)`` returns logits and
emits its ``k``-th propagation layer's output for ``k = 1 .. depth``; see ``available()``
for the names and ``defaults(name)`` for each model's published hyperparameters.

Heterogeneous models (``rgcn``, ``hgt``, and the lifted ``hetero-gcn``, ``hetero-sage``,
``hetero-gat``, ``hetero-gin``; :func:`is_hetero_model`) take ``forward(x_dict,
edge_index_dict)`` of a HeteroData, return the target node type's logits and emit each
layer's output as a dict ``{node type: tensor}``.
"""

from .base import LayerTaps, TapHandle
from .registry import (MODELS, accepted_options, available, build, check_options, defaults, is_hetero_model,
                       model_class)

__all__ = ["LayerTaps", "TapHandle", "MODELS", "build", "available", "defaults", "model_class", "check_options",
           "accepted_options", "is_hetero_model"]
