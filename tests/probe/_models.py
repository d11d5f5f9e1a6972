"""Models, graph and loss shared by the probe tests."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

from oversmooth.models import LayerTaps


class Stack(torch.nn.Module):
    def __init__(self, d_in, hidden, d_out, depth=3):
        super().__init__()
        dims = [d_in] + [hidden] * (depth - 1) + [d_out]
        self.convs = torch.nn.ModuleList(GCNConv(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x, edge_index):
        for k, conv in enumerate(self.convs):
            x = conv(x, edge_index)
            if k < len(self.convs) - 1:
                x = torch.relu(x)
        return x


class TinyTaps(LayerTaps):
    """A LayerTaps model: emits the input (k = 0) and each propagation output."""

    def __init__(self, d_in, d_out, depth=3):
        super().__init__()
        self.lin = torch.nn.Linear(d_in, d_out)
        self.depth = depth

    def forward(self, x, edge_index):
        from oversmooth.graph import normalized_adjacency

        P = normalized_adjacency(edge_index, x.size(0))
        h = self.emit(0, self.lin(x))
        for k in range(1, self.depth + 1):
            h = self.emit(k, P @ h)
        return h


def _loss(out, data):
    return F.cross_entropy(out[data.train_mask], data.y[data.train_mask])
