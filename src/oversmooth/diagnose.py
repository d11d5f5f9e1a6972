"""One-call verdicts for any model: does it oversmooth, where, why, and what to try.

>>> import torch
>>> from torch_geometric.nn.models import GCN
>>> from oversmooth import datasets, diagnose
>>> data = datasets.load("karate")
>>> torch.manual_seed(0) and None
>>> model = GCN(data.num_features, 16, num_layers=16, out_channels=4)
>>> d = diagnose(model, data, graph="karate")
>>> d.onset, d.cosine_onset, d.distance_onset      # cos >= 0.99 at 13, distance < 0.1 at 16
(13, 13, 16)
>>> d.verdicts[0][:47]
'forward oversmoothing sets in at layer 13 of 16'
>>> print(d)                                        # doctest: +SKIP

:func:`diagnose` runs one forward and backward pass of the model through
:func:`oversmooth.backward.diagnose` (a :func:`oversmooth.probe.capture_layers` pass: eval
mode unless ``train=True``, the model's mode, the parameters' ``requires_grad`` and ``.grad``
left as they were, no optimizer touched), adds the scale-free distance of every layer to the
invariant subspace (:func:`oversmooth.metrics.subspace_distance`) and the graph's spectral
prediction (:func:`oversmooth.spectral.analyze`), and reads them against the thresholds
below. Layers are found as the probe finds them (:func:`oversmooth.probe.layer_targets`):
a zoo model's taps, else hooks on every top-level ``MessagePassing`` (PyG's ``GCN``,
``GAT``, ``GraphSAGE``: their ``convs``) or on the modules ``layers=`` names.
"""

from __future__ import annotations

import dataclasses
import io
import math
import sys
import types
from pathlib import Path
from typing import Any, Callable

__all__ = ["diagnose", "Diagnosis", "Mitigation", "model_from_file", "ONSET_DISTANCE", "ONSET_COSINE",
           "PREDICTION_FACTOR", "SMALL_GRADIENT", "SMOOTH_GRADIENT", "FORWARD"]

#: Forward oversmoothing sets in at the first layer whose scale-free distance to the
#: invariant subspace, d_M(H)/||H||_F, has fallen below this fraction of the input's: one
#: decade of the geometric decay Oono & Suzuki (ICLR 2020) predict, i.e. 90% of what set the
#: nodes apart (beyond the degree-weighted constant per component) is gone.
ONSET_DISTANCE = 0.1
#: ... or at the first layer whose mean cosine similarity between node representations
#: reaches this level: all rows then point within about 8 degrees of one common direction,
#: so a layer-wise classifier sees essentially one feature. (A bias added at every layer keeps
#: d_M from 0 while the rows still collapse onto one direction, so both are read.)
ONSET_COSINE = 0.99
#: The spectral comparison: the predicted number of pure-propagation steps to shrink the
#: distance to the invariant subspace by this factor (rate^k <= 1e-3,
#: :meth:`oversmooth.spectral.SpectralReport.steps_to`) beside the layer where the model's
#: scale-free distance shrank as much, relative to the input's: three decades is "gone" for
#: any practical feature scale, and far enough that the asymptotic rate governs it.
PREDICTION_FACTOR = 1e-3
#: A layer's gradient is small when its weight gradient (or, for a layer without weights,
#: its backward signal ||dL/dH||) is below this fraction of the last layer's: two decades
#: below the layer nearest the logits, a step that trains the last layer barely moves it.
SMALL_GRADIENT = 1e-2
#: A small gradient is backward oversmoothing (Keriven 2025) when its backward signal
#: B = dL/dH is smooth: less than this fraction of its energy lies outside the invariant
#: subspace (``grad_subspace_rel``), so the error is mostly the mean output error; otherwise
#: it is a plain vanishing gradient. A random signal on a graph with N nodes and C
#: components has (N - C)/N of its energy outside it, close to 1.
SMOOTH_GRADIENT = 0.1
#: Forward metrics measured per layer (exact, O(E d) or O(N d)).
FORWARD = ("subspace_distance", "mean_cosine_similarity", "dirichlet_energy_sym")

OK, SMOOTH, VANISHING = "ok", "backward oversmoothing", "vanishing gradient"


@dataclasses.dataclass
class Mitigation:
    """A mitigation that addresses a finding: ``what``, ``why`` and the ``command`` that
    measures it on the user's graph."""

    what: str
    why: str
    command: str


@dataclasses.dataclass
class Diagnosis:
    r"""What :func:`diagnose` found.

    * ``table``: one row per layer ``k``: ``distance_rel`` (:math:`d_M(H^{(k)})/\|H^{(k)}\|_F`
      divided by the input's; ``ONSET_DISTANCE`` and ``PREDICTION_FACTOR`` read it),
      ``predicted_rel`` (``rate**k``, pure propagation's prediction), the forward metrics
      :data:`FORWARD`, the backward signal (``grad_norm``, ``grad_subspace_rel``,
      ``grad_energy_rel``, ``grad_mean_norm``), ``weight_grad_rel``, ``gradient_rel`` (what
      ``SMALL_GRADIENT`` reads: ``weight_grad_rel``, else ``grad_norm`` relative to the last
      layer's) and ``gradient`` (``"ok"``, ``"backward oversmoothing"``, ``"vanishing gradient"``);
    * ``distance_onset`` / ``cosine_onset``: first layer past ``ONSET_DISTANCE`` /
      ``ONSET_COSINE`` (``None``: not reached); ``onset``: the earlier of the two;
    * ``rate``, ``predicted_steps`` (pure propagation's steps to shrink the distance by
      ``PREDICTION_FACTOR``; ``math.inf``: never), ``measured_steps`` (the layer where the model
      did; ``None``: not within its layers), ``pace`` (``"faster"``/``"slower"``: the model's
      distance at its last layer against ``rate**L``; ``None`` without a spectral analysis);
    * ``verdicts``: the findings in sentences; ``mitigations``: :class:`Mitigation` list;
    * ``backward``: the :class:`oversmooth.backward.DiagnosisResult` of the pass.
    """

    model: str
    graph: str
    num_layers: int
    input_distance: float
    table: Any
    distance_onset: int | None
    cosine_onset: int | None
    rate: float | None
    predicted_steps: float | int | None
    measured_steps: int | None
    pace: str | None
    verdicts: list[str]
    mitigations: list[Mitigation]
    backward: Any = dataclasses.field(repr=False, default=None)

    @property
    def onset(self) -> int | None:
        """The layer where forward oversmoothing sets in (``None``: it does not)."""
        found = [k for k in (self.distance_onset, self.cosine_onset) if k is not None]
        return min(found) if found else None

    @property
    def thresholds(self) -> dict[str, float]:
        return {"onset_distance": ONSET_DISTANCE, "onset_cosine": ONSET_COSINE,
                "prediction_factor": PREDICTION_FACTOR, "small_gradient": SMALL_GRADIENT,
                "smooth_gradient": SMOOTH_GRADIENT}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (no tensors; non-finite floats as ``None``)."""
        return _clean({"model": self.model, "graph": self.graph, "num_layers": self.num_layers,
                       "input_distance": self.input_distance, "onset": self.onset,
                       "distance_onset": self.distance_onset, "cosine_onset": self.cosine_onset,
                       "rate": self.rate, "predicted_steps": self.predicted_steps,
                       "measured_steps": self.measured_steps, "pace": self.pace,
                       "thresholds": self.thresholds, "verdicts": list(self.verdicts),
                       "mitigations": [dataclasses.asdict(m) for m in self.mitigations],
                       "layers": self.table.to_dict(orient="records"),
                       "backward": {"loss": self.backward.loss if self.backward else None,
                                    "output_error_mean_norm": self.backward.output_error_mean_norm
                                    if self.backward else None}})

    # ------------------------------------------------------------------ display
    COLUMNS = (("layer", "layer"), ("d/d(X)", "distance_rel"), ("rate^k", "predicted_rel"),
               ("cos", "mean_cosine_similarity"), ("|B|", "grad_norm"), ("grad/last", "gradient_rel"),
               ("dM(B)", "grad_subspace_rel"), ("gradient", "gradient"))

    def __rich__(self):
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        table = Table(title=f"{self.model} on {self.graph}: {self.num_layers} layers")
        table.caption = (f"d/d(X): scale-free distance to the invariant subspace relative to the "
                         f"input's (onset below {ONSET_DISTANCE:g}); rate^k: pure propagation's "
                         f"prediction; cos: mean cosine similarity (onset at {ONSET_COSINE:g}); "
                         f"grad/last: gradient relative to the last layer's (small below "
                         f"{SMALL_GRADIENT:g}); dM(B): gradient energy outside M (smooth below "
                         f"{SMOOTH_GRADIENT:g})")
        columns = [(title, key) for title, key in self.COLUMNS if key in self.table.columns]
        for title, key in columns:
            table.add_column(title, justify="left" if key == "gradient" else "right")
        onset = self.onset
        for row in self.table.to_dict(orient="records"):
            cells = [_cell(key, row[key]) for _, key in columns]
            style = "bold red" if onset is not None and row["layer"] == onset else None
            table.add_row(*cells, style=style)
        lines = [Text("verdict:", style="bold")]
        lines += [Text(f"  - {v}") for v in self.verdicts]
        if self.mitigations:
            lines.append(Text("what to try (each command measures it on this graph):", style="bold"))
            for m in self.mitigations:
                lines.append(Text(f"  - {m.what}: {m.why}"))
                lines.append(Text(f"      {m.command}", style="cyan"))
        return Group(table, *lines)

    def render(self, width: int = 120) -> str:
        """The table and the verdict lines as plain text."""
        from rich.console import Console

        console = Console(file=io.StringIO(), width=width, markup=False, color_system=None)
        console.print(self)
        return console.file.getvalue()

    def __str__(self) -> str:
        return self.render()

    def _repr_html_(self) -> str:
        """The same table and verdict lines as HTML, for notebooks."""
        from rich.console import Console

        console = Console(file=io.StringIO(), record=True, width=140, markup=False)
        console.print(self)
        return console.export_html(inline_styles=True, code_format=(
            '<pre style="font-family:Menlo,\'DejaVu Sans Mono\',monospace;font-size:12px">'
            "<code>{code}</code></pre>"))

    def plot(self, path=None, title: str | None = None):
        """Per-layer figure of the diagnosis (:func:`oversmooth.report.plots.diagnosis`):
        distance against the spectral prediction, similarity, gradient size and smoothness,
        thresholds drawn. Written to ``path`` when given (png, svg, pdf); returns the figure.

        A convenience: the figure lives in ``report/plots`` (one style); report sits above this
        module in the data flow, so it is imported here, lazily, and only to draw.
        """
        from .report.plots import diagnosis as draw
        from .report.style import save

        fig = draw(self.table, onset=self.onset, thresholds=self.thresholds,
                   title=title or f"{self.model} on {self.graph}")
        if path is not None:
            save(fig, path)
        return fig


def _cell(key: str, value) -> str:
    if key in ("layer",):
        return str(int(value))
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.3f}" if key == "mean_cosine_similarity" else f"{value:.2e}"


def _clean(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return _clean(value.item())
    return value


def _first(table, column: str, passed: Callable[[float], bool]) -> int | None:
    for layer, value in zip(table["layer"], table[column]):
        if value is not None and math.isfinite(value) and passed(float(value)):
            return int(layer)
    return None


def diagnose(model, data, *, graph: str | None = None, loss_fn: Callable | None = None, layers=None,
             operator: str = "gcn", spectral: bool = True, train: bool = False) -> Diagnosis:
    r"""Whether, where and why ``model`` oversmooths on ``data``, with what to try.

    ``model``: any ``torch.nn.Module`` called as ``model(x, edge_index)``: a zoo model, PyG's
    ``GCN``/``GAT``/``GraphSAGE`` (hooked on their ``convs``), or a user's own (hooked on every
    top-level ``MessagePassing``, or on the modules ``layers`` names). One forward and backward
    pass (:func:`oversmooth.backward.diagnose`; the loss ``loss_fn(output, data)``, default
    cross entropy on ``data.train_mask``) in eval mode unless ``train=True``; the model's
    mode, its parameters' ``requires_grad`` and ``.grad`` and any optimizer are left as they
    were. ``graph`` names the dataset in the suggested commands (default ``GRAPH``, a
    placeholder). ``spectral=False`` skips the spectral analysis of ``operator`` (dense
    ``eigh`` up to 4096 nodes: seconds on Cora).

    Verdicts (thresholds: the module's constants, each with its reason):

    * forward: the first layer whose scale-free distance to the invariant subspace
      :math:`d_M(H^{(k)})/\|H^{(k)}\|_F`, relative to the input's, is below
      :data:`ONSET_DISTANCE`, and the first whose mean cosine similarity reaches
      :data:`ONSET_COSINE`; or that neither happens;
    * backward, per layer: small gradients (below :data:`SMALL_GRADIENT` of the last layer's)
      with a smooth backward signal (``grad_subspace_rel`` below :data:`SMOOTH_GRADIENT`) are
      backward oversmoothing, with a rough one plain vanishing gradients;
    * spectral: pure propagation's predicted steps to shrink the distance by
      :data:`PREDICTION_FACTOR` beside the layer where the model's did, and whether the model
      smooths faster or slower than propagation alone (its distance at the last layer ``L``
      against ``rate**L``);
    * mitigations for what was found, each with the command that measures it.

    Raises ``ValueError`` for a model without layers to listen to, data without ``x``,
    ``edge_index`` (or ``y`` with the default loss), or a non-finite loss.
    """
    import pandas as pd

    from .backward import diagnose as backward_diagnose
    from .metrics import subspace_distance

    for attr in ("x", "edge_index"):
        if getattr(data, attr, None) is None:
            raise ValueError(f"data has no {attr}")
    result = backward_diagnose(model, data, loss_fn, metrics=FORWARD, train=train, layers=layers)
    edge_index = data.edge_index
    input_distance = subspace_distance(data.x, edge_index, relative=True)
    outputs = result.outputs
    rows = {row["layer"]: row for row in result.table.to_dict(orient="records")}
    report = None
    if spectral:
        from .spectral import analyze

        report = analyze(data, operator)
    last_grad = None
    for k in sorted(rows, reverse=True):
        if math.isfinite(rows[k]["grad_norm"]) and rows[k]["grad_norm"] > 0:
            last_grad = rows[k]["grad_norm"]
            break
    table = []
    for k, h in sorted(outputs.items()):
        row = dict(rows.get(k, {"layer": k}))
        row["layer"] = k
        scale_free = subspace_distance(h, edge_index, relative=True) if h.dim() == 2 else math.nan
        row["distance_rel"] = scale_free / input_distance if input_distance > 0 else math.nan
        row["predicted_rel"] = report.predicted_factor(k) if report is not None else math.nan
        if "mean_cosine_similarity" not in row:
            from .metrics import mean_cosine_similarity

            row["mean_cosine_similarity"] = mean_cosine_similarity(h) if h.dim() == 2 else math.nan
        weight = row.get("weight_grad_rel", math.nan)
        grad = row.get("grad_norm", math.nan)
        row["gradient_rel"] = (weight if weight is not None and math.isfinite(weight) else
                               grad / last_grad if last_grad and math.isfinite(grad) else math.nan)
        smooth = row.get("grad_subspace_rel", math.nan)
        if not math.isfinite(row["gradient_rel"]):
            row["gradient"] = "-"
        elif row["gradient_rel"] >= SMALL_GRADIENT:
            row["gradient"] = OK
        else:
            row["gradient"] = SMOOTH if math.isfinite(smooth) and smooth < SMOOTH_GRADIENT else VANISHING
        table.append(row)
    columns = ["layer", "distance_rel", "predicted_rel", *FORWARD, "grad_norm", "grad_subspace_rel",
               "grad_energy_rel", "grad_mean_norm", "weight_grad_rel", "gradient_rel", "gradient"]
    frame = pd.DataFrame(table)
    frame = frame[[c for c in columns if c in frame.columns]].reset_index(drop=True)

    distance_onset = _first(frame, "distance_rel", lambda v: v < ONSET_DISTANCE)
    cosine_onset = _first(frame, "mean_cosine_similarity", lambda v: v >= ONSET_COSINE)
    measured_steps = _first(frame, "distance_rel", lambda v: v <= PREDICTION_FACTOR)
    num_layers = int(frame["layer"].max()) if len(frame) else 0
    pace = None
    if report is not None and len(frame):
        last = frame.iloc[-1]
        if math.isfinite(last["distance_rel"]):
            pace = "faster" if last["distance_rel"] < last["predicted_rel"] else "slower"
    diagnosis = Diagnosis(model=type(model).__name__, graph=graph or "GRAPH", num_layers=num_layers,
                          input_distance=input_distance, table=frame, distance_onset=distance_onset,
                          cosine_onset=cosine_onset, rate=report.rate if report is not None else None,
                          predicted_steps=report.steps_to(PREDICTION_FACTOR) if report is not None else None,
                          measured_steps=measured_steps, pace=pace, verdicts=[], mitigations=[],
                          backward=result)
    diagnosis.verdicts = _verdicts(diagnosis)
    diagnosis.mitigations = _mitigations(diagnosis)
    return diagnosis


def _layers(ks) -> str:
    ks = list(ks)
    return ", ".join(str(k) for k in ks) if len(ks) <= 6 else f"{ks[0]}-{ks[-1]} ({len(ks)} layers)"


def _verdicts(d: Diagnosis) -> list[str]:
    t, out = d.table, []
    if d.onset is None:
        out.append(f"no forward oversmoothing within {d.num_layers} layers: the distance to the "
                   f"invariant subspace stays above {ONSET_DISTANCE:g} of the input's (lowest "
                   f"{t['distance_rel'].min():.2g}) and the mean cosine similarity below "
                   f"{ONSET_COSINE:g} (highest {t['mean_cosine_similarity'].max():.3f})")
    else:
        parts = []
        if d.distance_onset is not None:
            parts.append(f"the distance to the invariant subspace falls below {ONSET_DISTANCE:g} of "
                         f"the input's at layer {d.distance_onset}")
        else:
            parts.append(f"the distance stays above {ONSET_DISTANCE:g} of the input's (lowest "
                         f"{t['distance_rel'].min():.2g})")
        if d.cosine_onset is not None:
            parts.append(f"the mean cosine similarity reaches {ONSET_COSINE:g} at layer {d.cosine_onset}")
        else:
            parts.append(f"the mean cosine similarity stays below {ONSET_COSINE:g}")
        out.append(f"forward oversmoothing sets in at layer {d.onset} of {d.num_layers}: "
                   + "; ".join(parts))
    smooth = t.loc[t["gradient"] == SMOOTH, "layer"].tolist() if "gradient" in t else []
    vanishing = t.loc[t["gradient"] == VANISHING, "layer"].tolist() if "gradient" in t else []
    if smooth:
        out.append(f"backward oversmoothing at layers {_layers(smooth)}: gradients below "
                   f"{SMALL_GRADIENT:g} of the last layer's and smooth (less than {SMOOTH_GRADIENT:g} "
                   "of their energy outside the invariant subspace): these layers learn from the "
                   "mean output error only")
    if vanishing:
        out.append(f"plain vanishing gradients at layers {_layers(vanishing)}: below "
                   f"{SMALL_GRADIENT:g} of the last layer's but not smooth: the signal shrinks "
                   "without being averaged (weights or activations, not the graph)")
    if not smooth and not vanishing:
        out.append(f"gradients reach every layer: none below {SMALL_GRADIENT:g} of the last layer's")
    if d.rate is not None:
        predicted = ("never (rate 1)" if d.predicted_steps == math.inf
                     else f"after {d.predicted_steps} steps")
        measured = (f"at layer {d.measured_steps}" if d.measured_steps is not None
                    else f"not within its {d.num_layers} layers")
        last = t.iloc[-1]
        out.append(f"spectral prediction (rate {d.rate:.4g}): pure propagation shrinks the distance "
                   f"by {1 / PREDICTION_FACTOR:g}x {predicted}; the model did {measured}. At layer "
                   f"{int(last['layer'])} it is at {last['distance_rel']:.2g} of the input's against "
                   f"{last['predicted_rel']:.2g} for propagation alone: the model smooths "
                   f"{d.pace} than propagation alone"
                   + (" (its weights, activations and biases add to the averaging)" if d.pace == "faster"
                      else " (its weights, skips or normalisation counteract the averaging)"))
    return out


def _mitigations(d: Diagnosis) -> list[Mitigation]:
    g, depth, out = d.graph, max(d.num_layers, 2), []
    depths = ",".join(str(2 ** i) for i in range(1, max(2, math.ceil(math.log2(depth))) + 1))
    t = d.table
    smooth = (t["gradient"] == SMOOTH).any() if "gradient" in t else False
    vanishing = (t["gradient"] == VANISHING).any() if "gradient" in t else False
    if d.onset is not None or smooth:
        out.append(Mitigation(
            "initial residual and identity mapping (GCNII)",
            "keeps a fraction of the input in every layer, so the distance to the invariant "
            "subspace (and the gradient's roughness) cannot decay to 0",
            f"oversmooth sweep --datasets {g} --models gcn,gcnii --depths {depths} "
            f"--store diagnose.db && oversmooth report diagnose.db"))
        out.append(Mitigation(
            "residual connections, PairNorm, DropEdge",
            "each slows the averaging; the sweep puts them side by side with plain GCN",
            f"oversmooth sweep --datasets {g} --models gcn -m none -m residual -m norm=pair "
            f"-m dropedge=0.3 --depths {depths} --store diagnose.db"))
    if d.onset is not None and d.onset <= 2 and not smooth:
        out.append(Mitigation("fewer layers",
                              "the representations collapse within the first layers: depth adds "
                              "nothing past the onset",
                              f"oversmooth sweep --datasets {g} --models gcn --depths 1,2,4 "
                              "--store diagnose.db"))
    if smooth:
        out.append(Mitigation(
            "check for a spurious stationary point (Keriven 2025)",
            "trains only the last layer and reads whether the inner gradients vanish with it",
            f"oversmooth backward {g} --model gcn --depth {depth} --stationarity"))
    if vanishing:
        out.append(Mitigation(
            "variance-preserving initialisation",
            "plain vanishing gradients come from the weights' scale, not the graph",
            f"oversmooth backward {g} --model gcn --depth {depth} --init kaiming"))
    return out


# ---------------------------------------------------------------------- a user's model file
def model_from_file(spec: str, data=None):
    """The model a user's factory builds: ``spec`` is ``path.py:factory``.

    The file is the user's own code and runs as such (imported like any Python module, with
    whatever it does at import). ``factory`` is called with ``data`` when it takes a
    parameter, else with none, and must return a ``torch.nn.Module``.

    Raises ``ValueError`` (one line) for a spec without ``:``, a file that does not exist or
    is not ``.py``, a missing or non-callable factory, or a factory that returns no module;
    an error raised while running the file propagates as it is.
    """
    import importlib.util
    import inspect

    import torch

    path_text, sep, name = str(spec).rpartition(":")
    if not sep or not path_text or not name:
        raise ValueError(f"--model-file must be PATH.py:FACTORY, got {spec!r}")
    path = Path(path_text)
    if path.suffix != ".py":
        raise ValueError(f"model file {path_text!r} is not a .py file")
    if not path.is_file():
        raise ValueError(f"model file {path_text!r} not found")
    module_name = f"oversmooth_user_model_{abs(hash(str(path.resolve())))}"
    spec_obj = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec_obj)
    spec_obj.loader.exec_module(module)
    factory = getattr(module, name, None)
    if factory is None:
        raise ValueError(f"model file {path_text!r} defines no {name!r}")
    if not callable(factory):
        raise ValueError(f"{name!r} in {path_text!r} is not callable")
    try:
        takes_data = bool(inspect.signature(factory).parameters)
    except (TypeError, ValueError):
        takes_data = True
    model = factory(data) if takes_data else factory()
    if not isinstance(model, torch.nn.Module):
        raise ValueError(f"{name}() in {path_text!r} returned {type(model).__name__}, "
                         "not a torch.nn.Module")
    return model


class _CallableModule(types.ModuleType):
    """``oversmooth.diagnose`` is both this module and the function: once the module is
    imported (``from oversmooth.diagnose import Diagnosis``), Python binds the package
    attribute ``diagnose`` to the module, and ``oversmooth.diagnose(model, data)`` must still
    work, so calling the module calls :func:`diagnose`."""

    def __call__(self, *args, **kwargs):
        return diagnose(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
