"""Published test accuracies (%) printed beside ours by ``oversmooth table``.

Each entry is ``(dataset, row label, depth) -> value``; :data:`SOURCES` says where each
row comes from. The labels are those of the ``table3`` preset. Rows the literature
does not print at some depth (JKNet and IncepGCN at 2 layers) or at all (ResGCN, APPNP
and SGC: no accuracy-vs-depth row in the stored sources) have no entry and show "–".
"""

from __future__ import annotations

__all__ = ["PUBLISHED", "SOURCES", "ROW_ORDER", "published", "canonical_label"]

_DROPEDGE = ("DropEdge repository README (Rong et al., ICLR 2020), semi-supervised, public "
             "Planetoid split; each row original / with DropEdge")
_GCNII = ("GCNII paper (Chen et al., ICML 2020) Table 3 -- recorded from memory of the paper, "
          "not from a stored copy (see shared/docs/published-results.md)")

DEPTHS = (2, 4, 8, 16, 32, 64)

# (dataset, backbone): [(original, with DropEdge) per depth in DEPTHS], None where not printed
_DROPEDGE_ROWS = {
    ("cora", "GCN"): [(81.1, 82.8), (80.4, 82.0), (69.5, 75.8), (64.9, 75.7), (60.3, 62.5),
                      (28.7, 49.5)],
    ("cora", "JKNet"): [None, (80.2, 83.3), (80.7, 82.6), (80.2, 83.0), (81.1, 82.5),
                        (71.5, 83.2)],
    ("cora", "IncepGCN"): [None, (77.6, 82.9), (76.5, 82.5), (81.7, 83.1), (81.7, 83.1),
                           (80.0, 83.5)],
    ("citeseer", "GCN"): [(70.8, 72.3), (67.6, 70.6), (30.2, 61.4), (18.3, 57.2), (25.0, 41.6),
                          (20.0, 34.4)],
    ("citeseer", "JKNet"): [None, (68.7, 72.6), (67.7, 71.8), (69.8, 72.6), (68.2, 70.8),
                            (63.4, 72.2)],
    ("citeseer", "IncepGCN"): [None, (69.3, 72.7), (68.4, 71.4), (70.2, 72.5), (68.0, 72.6),
                               (67.5, 71.0)],
}
_GCNII_ROWS = {
    ("cora", "GCNII"): [82.2, 82.6, 84.2, 84.6, 85.4, 85.5],
    ("cora", "GCNII*"): [80.2, 82.3, 82.8, 83.5, 84.9, 85.3],
}

PUBLISHED: dict[tuple[str, str, int], float] = {}
SOURCES: dict[tuple[str, str], str] = {}
for (_dataset, _backbone), _cells in _DROPEDGE_ROWS.items():
    for _depth, _cell in zip(DEPTHS, _cells):
        if _cell is not None:
            PUBLISHED[(_dataset, _backbone, _depth)] = _cell[0]
            PUBLISHED[(_dataset, f"{_backbone}+DropEdge", _depth)] = _cell[1]
    SOURCES[(_dataset, _backbone)] = _DROPEDGE
    SOURCES[(_dataset, f"{_backbone}+DropEdge")] = _DROPEDGE
for (_dataset, _label), _values in _GCNII_ROWS.items():
    for _depth, _value in zip(DEPTHS, _values):
        PUBLISHED[(_dataset, _label, _depth)] = _value
    SOURCES[(_dataset, _label)] = _GCNII

# The order of rows in the literature's table (GCNII paper, Table 3).
ROW_ORDER = ("GCN", "GCN+DropEdge", "ResGCN", "JKNet", "JKNet+DropEdge", "IncepGCN",
             "IncepGCN+DropEdge", "GCNII", "GCNII*", "APPNP", "SGC")


_BY_LOWER = {label.lower(): label for label in ROW_ORDER}


def canonical_label(label: str) -> str:
    """The literature's row name for a label: ``"gcn+dropedge=0.3"`` -> ``"GCN+DropEdge"``,
    ``"jknet"`` -> ``"JKNet"``; other labels come back unchanged."""
    bare = "+".join(part.split("=", 1)[0] for part in label.lower().split("+"))
    return _BY_LOWER.get(bare, label)


def published(dataset: str, label: str, depth: int) -> float | None:
    """The published test accuracy (%) of ``label`` (any case; option values ignored, so
    ``gcn+dropedge=0.3`` finds the GCN+DropEdge row) at ``depth`` on ``dataset``, or None."""
    return PUBLISHED.get((dataset.lower(), canonical_label(label), int(depth)))
