"""The claims' trained measurements: one sweep (plain GCN by depth, skip / DropEdge rows,
the mitigation rows at 2 layers and a deep depth) into a store, and the gradient facts
(backward diagnosis, spurious stationary points, a deep linear network)."""

from __future__ import annotations

import torch

from ... import datasets
from ...models import available, build
from ..config import config_from_dict

__all__ = ["sweep_config", "gradient_facts"]

ATTENTION = ("transformer", "gps", "graphormer")


def sweep_config(budget):
    """The sweep of a budget (mitigation rows whose model is not in the zoo are left out)."""
    deep = budget.deep
    variants = [
        {"model": "gcn", "label": "GCN", "depths": list(budget.gcn_depths)},
        {"model": "gcn", "label": "GCN+residual", "options": {"residual": True},
         "depths": sorted(set(budget.variant_depths) | {deep})},
        {"model": "gcn", "label": "GCN+residual+DropEdge", "options": {"residual": True, "dropedge": 0.3},
         "depths": sorted(set(budget.variant_depths) | {deep})},
    ]
    for label, model, options in budget.mitigations:
        if model not in available():
            continue
        row = {"model": model, "label": label, "options": dict(options), "depths": sorted({2, deep})}
        if model in ATTENTION:
            row["depths"] = sorted({2, budget.deep_attention})
            row["training"] = {"epochs": budget.transformer_epochs,
                               "patience": min(budget.patience, budget.transformer_epochs)}
        variants.append(row)
    return config_from_dict({
        "name": f"claims-{budget.name}", "datasets": [budget.dataset], "variants": variants,
        "depths": list(budget.gcn_depths), "seeds": list(budget.seeds),
        "training": {"epochs": budget.epochs, "patience": budget.patience,
                     "hidden_channels": budget.hidden_channels},
        "metrics": list(budget.metrics)})


def _linear_ratio(data, depth: int, width: int = 64, seed: int = 0) -> float:
    """|dW_1| / |dW_last| of a deep *linear* network (no activation, no graph, PyTorch's
    default initialisation) under cross-entropy on ``data``'s training nodes."""
    torch.manual_seed(seed)
    sizes = [data.x.size(1)] + [width] * (depth - 1) + [int(data.y.max()) + 1]
    layers = [torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:])]
    out = torch.nn.Sequential(*layers)(data.x)
    torch.nn.functional.cross_entropy(out[data.train_mask], data.y[data.train_mask]).backward()
    return float(layers[0].weight.grad.norm() / layers[-1].weight.grad.norm())


def gradient_facts(budget) -> dict:
    """Facts ``backward``, ``stationarity`` and ``linear`` on a CSBM graph (seed 0)."""
    from ...backward import diagnose, initialize, stationarity

    depth, width = budget.backward_depth, 16
    graph = datasets.csbm(num_nodes=budget.backward_nodes, seed=0)
    setup = f"CSBM {budget.backward_nodes} nodes, depth {depth}, width {width}, kaiming init, seed 0"
    tables = {}
    for name in ("gcn", "mlp"):
        torch.manual_seed(0)
        model = build(name, graph.x.shape[1], width, 2, depth, dropout=0.0)
        tables[name] = diagnose(initialize(model, "kaiming", 0), graph).table["grad_subspace_rel"].dropna()
    st = stationarity("gcn", graph, depth=depth, hidden_channels=width, seed=0)
    gnn, mlp = st.summary["gnn"], st.summary["mlp"]
    return {
        "backward": {"gcn_first": float(tables["gcn"].iloc[0]), "gcn_last": float(tables["gcn"].iloc[-1]),
                     "mlp_min": float(tables["mlp"].min()), "setup": setup},
        "stationarity": {"gnn_stationary": bool(st.gnn_stationary), "mlp_stationary": bool(st.mlp_stationary),
                         "gnn_inner_rel": float(f"{gnn['inner_rel_median']:.3g}"),
                         "mlp_inner_rel": float(f"{mlp['inner_rel_median']:.3g}"),
                         "gnn_loss_after": round(float(gnn["loss_after"]), 4),
                         "reference_loss": round(float(st.reference_loss), 4),
                         "mean_error_init": float(gnn["output_error_init"]),
                         "mean_error_after": float(gnn["output_error_after"]),
                         "verdict": st.verdict, "setup": f"CSBM {budget.backward_nodes} nodes, depth {depth}, "
                                                         f"width {width}, kaiming init, seed 0, last layer by L-BFGS"},
        "linear": {"depth": depth, "init": "PyTorch default", "ratio": _linear_ratio(graph, depth)},
    }
