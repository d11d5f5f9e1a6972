"""Hand-built models that land on either side of every diagnose threshold (identity weights:
H_k = P^k X exactly, so the verdicts follow from the graph alone)."""

import torch
from torch_geometric.nn import GCNConv, GCN2Conv


class Propagation(torch.nn.Module):
    """depth GCNConv layers with weight scale * I, no bias: H_k = P^k X times scales."""
    def __init__(self, d, depth, scale=1.0, last=1.0):
        super().__init__()
        self.convs = torch.nn.ModuleList(GCNConv(d, d, bias=False) for _ in range(depth))
        with torch.no_grad():
            for i, conv in enumerate(self.convs):
                conv.lin.weight.copy_(torch.eye(d) * (last if i == depth - 1 else scale))

    def forward(self, x, edge_index):
        for conv in self.convs:
            x = conv(x, edge_index)
        return x


class InitialResidual(torch.nn.Module):
    def __init__(self, d, depth, alpha=0.5):
        super().__init__()
        self.convs = torch.nn.ModuleList(GCN2Conv(d, alpha) for _ in range(depth))
        with torch.no_grad():
            for conv in self.convs:
                conv.weight1.copy_(torch.eye(d))

    def forward(self, x, edge_index):
        x0 = x
        for conv in self.convs:
            x = conv(x, x0, edge_index)
        return x


class Dense(torch.nn.Module):
    def __init__(self, d, depth, last=1.0):
        super().__init__()
        self.lins = torch.nn.ModuleList(torch.nn.Linear(d, d, bias=False) for _ in range(depth))
        with torch.no_grad():
            for i, lin in enumerate(self.lins):
                lin.weight.copy_(torch.eye(d) * (last if i == depth - 1 else 1.0))

    def forward(self, x, edge_index):
        for lin in self.lins:
            x = lin(x)
        return x
