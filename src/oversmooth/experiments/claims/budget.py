"""How much the claims run measures: one :class:`Budget`, named ``default``, ``full`` or
``tiny`` (the test suite's), every field stated in the run's settings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

__all__ = ["Budget", "BUDGETS", "budget"]


@dataclass(frozen=True)
class Budget:
    """The settings of a claims run.

    Attributes:
        name: ``default``, ``full`` or ``tiny``.
        dataset: the real graph the accuracy claims name (Cora, public split).
        seeds: training seeds (accuracies are means over them).
        epochs, patience, hidden_channels: training of every model (patience on the
            validation loss; the model's own lr, weight decay and dropout).
        gcn_depths: depths of plain GCN (the accuracy-and-depth claims).
        variant_depths: depths of the skip / DropEdge / PairNorm rows.
        deep: the depth at which the mitigations are compared with plain GCN.
        deep_attention: the deep depth of the attention rows (N x N attention per layer:
            the CPU cost grows with depth x N^2).
        mitigations: ``(label, model, options)`` rows trained at 2 and ``deep`` layers.
        transformer_epochs: epochs of the attention models (N x N attention per layer).
        steps: pure-propagation steps; ``synthetic_nodes``: size of the synthetic graphs.
        backward_depth, backward_nodes: the gradient claims' depth and CSBM size.
        metrics: per-layer metrics measured on every trained model.
        hetero_depths: depths of hetero-GCN on the bank and GCN on it flattened (the
            ``hetero-bank`` preset's graph and settings; claim ``heterogeneous``).
        bank_graph: (customers, merchants, transactions) of the bank R-GCN is measured on at
            initialisation (claim ``bank-graph``, whose graph has 10,000, 5,000, 500,000).
        rewire_dataset: rewire the dataset itself (FoSR on Cora, resistances of its largest
            component: seconds); otherwise only the synthetic graphs.
        influence_depth, influence_targets: the GCN (at initialisation) whose Jacobian
            influence per hop is measured, and on how many random target nodes.
        transfer_distances: ring-transfer distances, each at depth = distance.
        transfer_distance: the distance at which the three transfer topologies are compared,
            at depth = distance and twice that.
        transfer_graphs, transfer_epochs: graphs per transfer task, full-batch epochs.
    """

    name: str = "default"
    dataset: str = "cora"
    seeds: tuple[int, ...] = (0,)
    epochs: int = 200
    patience: int = 50
    hidden_channels: int = 64
    gcn_depths: tuple[int, ...] = (2, 3, 4, 5, 6, 8, 16, 32, 64)
    variant_depths: tuple[int, ...] = (2, 4, 8, 16)
    deep: int = 16
    mitigations: tuple[tuple[str, str, tuple], ...] = (
        ("GCNII", "gcnii", ()), ("JKNet", "jknet", ()), ("APPNP", "appnp", ()),
        ("SGC", "sgc", ()), ("NSD", "nsd", ()), ("GCN+DropEdge", "gcn", (("dropedge", 0.3),)),
        ("GCN+PairNorm", "gcn", (("norm", "pair"),)))
    deep_attention: int = 8
    transformer_epochs: int = 50
    steps: int = 256
    synthetic_nodes: int = 400
    backward_depth: int = 16
    backward_nodes: int = 500
    # rank_one_residual: attention's collapse (identical rows); subspace_distance_rel: GCN's
    # (rows proportional to sqrt(deg + 1)), which the residual does not see
    metrics: tuple[str, ...] = ("mean_cosine_similarity", "dirichlet_energy", "rank_one_residual",
                                "subspace_distance_rel")
    rewire_dataset: bool = True
    influence_depth: int = 4
    influence_targets: int = 50
    transfer_distances: tuple[int, ...] = (3, 4, 6)
    transfer_distance: int = 4
    transfer_graphs: int = 200
    transfer_epochs: int = 300
    hetero_depths: tuple[int, ...] = (2, 4, 8, 16)
    bank_graph: tuple[int, int, int] = (1_000, 500, 50_000)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["mitigations"] = [{"label": l, "model": m, "options": dict(o)}
                              for l, m, o in self.mitigations]
        return out


#: The attention rows (N x N attention per layer; CPU seconds per training step on Cora, one
#: thread, ``bench/attention_cost.py``: transformer 1.9 at 2 layers and 7.4 at 8, GPS 1.7 and
#: 7.4, Graphormer 0.4 and 1.2): only the full budget trains them, at 2 and 8 layers for 60
#: epochs (a 16-layer transformer at 200 epochs would take about an hour a run).
ATTENTION_ROWS = (("Transformer", "transformer", ()), ("GPS", "gps", ()), ("Graphormer", "graphormer", ()))

BUDGETS: dict[str, Budget] = {
    "default": Budget(),
    "full": Budget(name="full", seeds=(0, 1, 2), mitigations=Budget().mitigations + ATTENTION_ROWS, epochs=400, patience=100,
                   gcn_depths=(2, 3, 4, 5, 6, 8, 16, 32, 64), variant_depths=(2, 4, 6, 8, 16, 32),
                   deep=32, deep_attention=8, transformer_epochs=60, steps=512, synthetic_nodes=1000,
                   hetero_depths=(2, 4, 8, 16, 32), bank_graph=(10_000, 5_000, 500_000)),
    "tiny": Budget(name="tiny", epochs=3, patience=3, hidden_channels=16, gcn_depths=(2, 8),
                   variant_depths=(2,), deep=4, deep_attention=4,
                   mitigations=(("GCNII", "gcnii", ()), ("GCN+PairNorm", "gcn", (("norm", "pair"),))),
                   transformer_epochs=2, steps=32, synthetic_nodes=100, backward_depth=4,
                   backward_nodes=100, rewire_dataset=False, influence_depth=2, influence_targets=10,
                   transfer_distances=(2, 3), transfer_distance=2, transfer_graphs=20, transfer_epochs=3,
                   hetero_depths=(2,), bank_graph=(60, 10, 300)),
}


def budget(name: str | Budget = "default", **changes) -> Budget:
    """A named budget, with fields changed by keyword (``budget("default", seeds=(0, 1))``)."""
    if isinstance(name, Budget):
        base = name
    elif name in BUDGETS:
        base = BUDGETS[name]
    else:
        raise ValueError(f"unknown budget {name!r}; known: {', '.join(BUDGETS)}")
    unknown = sorted(set(changes) - set(Budget.__dataclass_fields__))
    if unknown:
        raise ValueError(f"budget has no field {unknown[0]!r}")
    return replace(base, **changes) if changes else base
