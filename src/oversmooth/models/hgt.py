r"""HGT (Hu et al., WWW 2020, "Heterogeneous Graph Transformer"), PyG's ``HGTConv``.

For an edge :math:`e = (s, t)` of relation :math:`\phi(e)` between node types
:math:`\tau(s), \tau(t)`, head :math:`m` of layer :math:`k` computes

.. math::
   \alpha^m(s,e,t) = \mathrm{softmax}_{s\in\mathcal N(t)}\Big(
       K^m_{\tau(s)}(h_s)\, W^{ATT}_{\phi(e)}\, Q^m_{\tau(t)}(h_t)^\top\,
       \frac{\mu_{\phi(e)}}{\sqrt{d}}\Big),\qquad
   \mathrm{msg}^m(s,e,t) = V^m_{\tau(s)}(h_s)\, W^{MSG}_{\phi(e)}

.. math::
   \tilde h_t = \big\Vert_m \sum_{s\in\mathcal N(t)} \alpha^m(s,e,t)\,\mathrm{msg}^m(s,e,t),\qquad
   h_t^{(k)} = \beta_{\tau(t)}\, A_{\tau(t)}\big(\mathrm{GELU}(\tilde h_t)\big)
             + (1-\beta_{\tau(t)})\, h_t^{(k-1)}

with per-type linear maps :math:`K, Q, V, A`, per-relation matrices :math:`W^{ATT}, W^{MSG}`
and prior :math:`\mu`, and PyG's learned skip gate :math:`\beta_\tau = \sigma(s_\tau)` (the
paper's residual connection). ``heads`` attention heads split ``hidden_channels``. The
GELU inside the layer is the activation, so none is added between layers (as in PyG's
``hgt_dblp`` example); per-type input projections to ``hidden_channels`` come first and a
linear head reads the target type (:class:`~oversmooth.models.hetero.HeteroGNN`). The
paper's relative temporal encoding is not included (the graphs here carry no time).
"""

from __future__ import annotations

from torch_geometric.nn import HGTConv

from .backbone import check_divisible
from .hetero import HeteroGNN

__all__ = ["HGT"]


class HGT(HeteroGNN):
    """Heterogeneous graph transformer; see the module docstring."""

    #: the paper's dropout 0.2; width, heads, lr and weight decay of PyG's ``hgt_dblp`` example
    defaults = dict(hidden_channels=64, heads=2, dropout=0.2, lr=0.005, weight_decay=1e-3, epochs=200,
                    patience=None)
    act = staticmethod(lambda h: h)  # the layer's own GELU is the non-linearity

    def __init__(self, in_channels, hidden_channels: int, out_channels: int, depth: int, *,
                 metadata=None, target_node_type: str | None = None, dropout: float = 0.2,
                 heads: int = 2) -> None:
        if isinstance(heads, bool) or not isinstance(heads, int) or heads < 1:
            raise ValueError(f"heads must be an integer >= 1, got {heads!r}")
        check_divisible(hidden_channels, "heads", heads)
        self.heads = heads
        super().__init__(in_channels, hidden_channels, out_channels, depth, metadata=metadata,
                         target_node_type=target_node_type, dropout=dropout)

    def make_layer(self, k, in_width):
        return HGTConv(in_width, self.hidden_channels, self.metadata, heads=self.heads), self.hidden_channels
