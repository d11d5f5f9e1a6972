"""`oversmooth report`, `oversmooth demo` and `oversmooth plot ...` (one figure each)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from ._app import ParamOpt, app, console, load_graph

StoreArg = Annotated[str, typer.Argument(help="The results store (an SQLite file).")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="png, svg or pdf.")]
FileOpt = Annotated[Optional[str], typer.Option("--output", "-o", help="Figure file (default: the figure's name and --format in the current folder).")]

plot_app = typer.Typer(help="One figure of the report on its own, for papers: png, svg or pdf.",
                       no_args_is_help=True, rich_markup_mode="rich")
app.add_typer(plot_app, name="plot")


@app.command("report")
def report_command(
    store: StoreArg,
    output: Annotated[str, typer.Option("--output", "-o", help="The HTML file to write.")] = "report.html",
    dataset: Annotated[Optional[list[str]], typer.Option("--dataset", "-d", help="Only this dataset, repeatable.")] = None,
    no_spectral: Annotated[bool, typer.Option("--no-spectral", help="Skip the graph measurements: pure propagation and the over-smoothing vs over-squashing comparison per rewiring (they load each dataset).")] = False,
) -> None:
    """Write one self-contained HTML report of a results store, figures beside it.

    The page (no network needed to view it) holds accuracy vs depth with published
    numbers, per-layer metric curves, the spectral prediction next to measured pure
    propagation, backward diagnostics where stored, over-smoothing vs over-squashing
    before and after rewiring (SDRF, FoSR), the claims with verdicts, the sweep's tables
    and every run's settings. Figures are also written as PNG and SVG to
    figures/ beside the HTML. A store of another schema version is refused (exit 2).

    [bold]Examples[/bold]

      oversmooth report results.db -o report.html
      oversmooth report results.db -d cora --no-spectral
    """
    from ..experiments import report_inputs
    from ..report import build_report

    inputs = report_inputs(store, dataset or None, spectral=not no_spectral)
    result = build_report(inputs, output)
    for part in result.missing:
        console.print(Text("missing: ", style="yellow") + Text(str(part)), highlight=False)
    console.print(f"{len(result.figures)} figure files in {result.html.parent / 'figures'}",
                  highlight=False)
    console.print(str(result.html), highlight=False, soft_wrap=True)


@app.command("demo")
def demo_command(
    output: Annotated[str, typer.Option("--output", "-o", help="Output folder.")] = "oversmooth-demo",
    quick: Annotated[bool, typer.Option("--quick", help="A tiny version (300-node graph, depths 2 and 4, 5 epochs), seconds instead of minutes.")] = False,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Parallel training runs (default 2).")] = None,
) -> None:
    """The main job: measure oversmoothing end to end, no download needed.

    On Cora (the copy shipped in the package when no raw files are at hand): spectrum and
    pure propagation, a depth sweep (GCN, GCN+residual, GCNII, APPNP at depths 2, 8, 32, GCN
    also at 64, and GCN+residual+DropEdge, which the Cora claims need; one seed, 100 epochs),
    backward diagnostics, and the report with a verdict for each claim. Under 5 minutes on
    two quiet cores; prints the path of the report last.

    [bold]Examples[/bold]

      oversmooth demo
      oversmooth demo -o /tmp/demo --jobs 4
    """
    from ..demo import run_demo

    path = run_demo(output, quick=quick, jobs=jobs)
    console.print(str(path), highlight=False, soft_wrap=True)


def _out(output: str | None, name: str, fmt: str) -> Path:
    from ..report.style import FORMATS

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose {', '.join(FORMATS)}")
    from .._atomic import check_output_file

    return check_output_file(output) if output is not None else Path(f"{name}.{fmt}")


def _save(fig, path: Path, fmt: str) -> None:
    from ..report.style import save

    save(fig, path, fmt)
    console.print(str(path), highlight=False, soft_wrap=True)


@plot_app.command("accuracy")
def plot_accuracy(store: StoreArg, output: FileOpt = None, fmt: FormatOpt = "png",
                  dataset: Annotated[Optional[list[str]], typer.Option("--dataset", "-d", help="Only this dataset, repeatable.")] = None,
                  no_published: Annotated[bool, typer.Option("--no-published", help="Leave out the published numbers.")] = False) -> None:
    """Test accuracy against depth, one line per model, published numbers overlaid.

    [bold]Examples[/bold]

      oversmooth plot accuracy results.db -f pdf -o accuracy.pdf
    """
    from ..experiments import read_store
    from ..report import plots

    contents = read_store(store)
    path = _out(output, "accuracy_vs_depth", fmt)
    _save(plots.accuracy_vs_depth(contents.summaries["test_acc"], published=not no_published,
                                  datasets=dataset or None), path, fmt)


@plot_app.command("layers")
def plot_layers(store: StoreArg, output: FileOpt = None, fmt: FormatOpt = "png",
                dataset: Annotated[Optional[str], typer.Option("--dataset", "-d", help="The dataset (default: the store's only or first one).")] = None,
                metrics: Annotated[Optional[str], typer.Option("--metrics", help="Comma-separated per-layer metrics.")] = None) -> None:
    """Per-layer metric curves of each model at its deepest depth (log scale where
    values span orders of magnitude).

    [bold]Examples[/bold]

      oversmooth plot layers results.db -d cora -f svg
      oversmooth plot layers results.db --metrics dirichlet_energy,mean_cosine_similarity
    """
    from ..experiments import read_store
    from ..report import plots

    contents = read_store(store)
    names = sorted(set(contents.runs["dataset"]))
    if not names:
        raise ValueError(f"store {store} holds no runs")
    name = dataset or names[0]
    chosen = [m.strip() for m in metrics.split(",")] if metrics else plots.LAYER_METRICS
    _save(plots.layer_metrics(contents.layers, contents.runs, name, chosen),
          _out(output, f"layers_{name}", fmt), fmt)


@plot_app.command("spectrum")
def plot_spectrum(name: Annotated[str, typer.Argument(help="Dataset name (see `oversmooth datasets`).")],
                  param: ParamOpt = None, output: FileOpt = None, fmt: FormatOpt = "png",
                  steps: Annotated[int, typer.Option("--steps", help="Propagation steps.")] = 64) -> None:
    """The spectral prediction next to measured pure propagation on one graph.

    [bold]Examples[/bold]

      oversmooth plot spectrum cora -f pdf
      oversmooth plot spectrum csbm -p num_nodes=2000 -p homophily=0.3
    """
    from ..report import plots
    from ..spectral import pure_propagation

    prop = pure_propagation(load_graph(name, param), name, steps=steps)
    _save(plots.spectral_vs_measured({name: prop.table}, {name: prop.rate}),
          _out(output, f"spectrum_{name}", fmt), fmt)


@plot_app.command("backward")
def plot_backward(name: Annotated[str, typer.Argument(help="Dataset name (see `oversmooth datasets`).")],
                  model: Annotated[str, typer.Option("--model", "-m", help="Model name (see oversmooth.models.available()).")] = "gcn",
                  depth: Annotated[int, typer.Option("--depth", help="Number of layers.")] = 32,
                  epochs: Annotated[int, typer.Option("--epochs", help="Train this many epochs first (0: at initialisation).")] = 0,
                  param: ParamOpt = None, output: FileOpt = None, fmt: FormatOpt = "png",
                  seed: Annotated[int, typer.Option("--seed", help="Seed of the initialisation.")] = 0) -> None:
    """Backward diagnostics: smoothness of the loss gradients per layer.

    [bold]Examples[/bold]

      oversmooth plot backward cora --model gcn --depth 32
      oversmooth plot backward cora --model gcnii --depth 64 --epochs 100 -f svg
    """
    from .. import training
    from ..backward import signal_table
    from ..report import plots

    data = load_graph(name, param)
    if epochs > 0:
        net = training.train(model, data, depth, seed, normalize_features=False, epochs=epochs).model
    else:
        net = training.build_seeded(model, data, depth, seed, reset=False)
    state = f"after {epochs} epochs" if epochs else "at init"
    table = signal_table(net, data, f"{model} (L={depth}, {state})")
    _save(plots.backward(table, title=name), _out(output, f"backward_{name}_{model}", fmt), fmt)
