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
    metrics: tuple[str, ...] = ("mean_cosine_similarity", "dirichlet_energy", "rank_one_residual")
    hetero_depths: tuple[int, ...] = (2, 4, 8, 16)
    bank_graph: tuple[int, int, int] = (1_000, 500, 50_000)

    def to_dict(self) -> dict:
        out = asdict(self)
        out["mitigations"] = [{"label": l, "model": m, "options": dict(o)}
                              for l, m, o in self.mitigations]
        return out


#: The attention rows (N x N attention per layer: a 2-layer transformer takes about 9 s per
#: epoch on Cora on one loaded core here, so only the full budget trains them).
ATTENTION_ROWS = (("Transformer", "transformer", ()), ("GPS", "gps", ()), ("Graphormer", "graphormer", ()))

BUDGETS: dict[str, Budget] = {
    "default": Budget(),
    "full": Budget(name="full", seeds=(0, 1, 2), mitigations=Budget().mitigations + ATTENTION_ROWS, epochs=400, patience=100,
                   gcn_depths=(2, 3, 4, 5, 6, 8, 16, 32, 64), variant_depths=(2, 4, 6, 8, 16, 32),
                   deep=32, deep_attention=16, transformer_epochs=200, steps=512, synthetic_nodes=1000,
                   hetero_depths=(2, 4, 8, 16, 32), bank_graph=(10_000, 5_000, 500_000)),
    "tiny": Budget(name="tiny", epochs=3, patience=3, hidden_channels=16, gcn_depths=(2, 8),
                   variant_depths=(2,), deep=4, deep_attention=4,
                   mitigations=(("GCNII", "gcnii", ()), ("GCN+PairNorm", "gcn", (("norm", "pair"),))),
                   transformer_epochs=2, steps=32, synthetic_nodes=100, backward_depth=4,
                   backward_nodes=100, hetero_depths=(2,), bank_graph=(60, 10, 300)),
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
