"""Named sweeps: ``table3`` reproduces the accuracy-vs-depth table of the literature.

``table3``: Cora and CiteSeer (public split), depths 2-64, the rows of Table 3 of the
GCNII paper (Chen et al., ICML 2020), which reprints the DropEdge repository's rows:
GCN, GCN+DropEdge, ResGCN, JKNet, JKNet+DropEdge, IncepGCN, GCNII, GCNII*, APPNP, SGC.
Settings, as the authors':

* hidden width 64 for every model (DropEdge's and GCNII's deep-model experiments);
* learning rate, weight decay, dropout and model constants (GCNII's alpha/lambda, APPNP's
  alpha) from each model's defaults (``oversmooth.models.defaults``: the authors' values);
* DropEdge rate 0.3 for the +DropEdge rows (the DropEdge repository's Cora/CiteSeer
  semi-supervised scripts sample between 0.05 and 0.9 per depth; 0.3 is one rate for all
  depths, which the repository's README does not fix -- our choice);
* 400 epochs with patience 100 (the DropEdge repository trains 400 epochs), GCNII and
  GCNII* 1500 epochs with patience 100 (the GCNII repository);
* 5 seeds (0-4), mean ± std.

``table3-quick``: the same grid and rows with one seed (0) and a smaller budget: 200
epochs with patience 50, GCNII/GCNII* 300 epochs with patience 50, and per-layer metrics
without ``effective_rank`` (``dirichlet_energy``, ``mean_cosine_similarity``, ``mad``):
SGC's layers are as wide as the raw features (3703 on CiteSeer), where the rank's
eigendecomposition takes about 4 s per layer, a quarter of the sweep's CPU time. It keeps
the shape of the table (same rows, depths and hyperparameters) and finishes in under 30
minutes on two cores; its numbers are single runs, so differences of a point or two are
noise.
"""

from __future__ import annotations

import copy

from .config import SweepConfig, config_from_dict

__all__ = ["PRESETS", "preset", "preset_names"]

_TABLE3_ROWS = [
    ("GCN", "gcn", {}),
    ("GCN+DropEdge", "gcn", {"dropedge": 0.3}),
    ("ResGCN", "resgcn", {}),
    ("JKNet", "jknet", {}),
    ("JKNet+DropEdge", "jknet", {"dropedge": 0.3}),
    ("IncepGCN", "incepgcn", {}),
    ("GCNII", "gcnii", {}),
    ("GCNII*", "gcnii*", {}),
    ("APPNP", "appnp", {}),
    ("SGC", "sgc", {}),
]


def _table3(seeds: int, epochs: int, patience: int, gcnii_epochs: int, gcnii_patience: int,
            name: str, metrics: list[str] | None = None) -> dict:
    variants = []
    for label, model, options in _TABLE3_ROWS:
        entry = {"model": model, "label": label, "options": dict(options)}
        if model.startswith("gcnii"):
            entry["training"] = {"epochs": gcnii_epochs, "patience": gcnii_patience}
        variants.append(entry)
    config = {
        "name": name,
        "datasets": ["cora", "citeseer"],
        "depths": [2, 4, 8, 16, 32, 64],
        "seeds": seeds,
        "training": {"hidden_channels": 64, "epochs": epochs, "patience": patience},
        "variants": variants,
    }
    if metrics is not None:
        config["metrics"] = metrics
    return config


PRESETS: dict[str, dict] = {
    "table3": _table3(5, 400, 100, 1500, 100, "table3"),
    "table3-quick": _table3(1, 200, 50, 300, 50, "table3-quick",
                            metrics=["dirichlet_energy", "mean_cosine_similarity", "mad"]),
}


def preset_names() -> list[str]:
    return list(PRESETS)


def preset(name: str) -> SweepConfig:
    """The validated :class:`SweepConfig` of preset ``name``."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return config_from_dict(copy.deepcopy(PRESETS[name]), source=f"preset {name}")


def preset_dict(name: str) -> dict:
    """The raw configuration of preset ``name`` (to combine with flags)."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; presets: {', '.join(PRESETS)}")
    return copy.deepcopy(PRESETS[name])
