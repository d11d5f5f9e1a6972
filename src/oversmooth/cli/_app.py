"""The typer application, shared options, and the error boundary of the CLI."""

from __future__ import annotations

import ast
import json
import math
import sys
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.text import Text

from .._extras import MissingExtra

app = typer.Typer(
    name="oversmooth",
    help=(
        "Measure, explain and benchmark oversmoothing in graph neural networks.\n\n"
        "Start with [bold]oversmooth datasets[/bold] to see the graphs, then "
        "[bold]oversmooth info cora[/bold] for one of them. Synthetic graphs take their "
        "parameters with -p, e.g. [bold]oversmooth info csbm -p num_nodes=5000 -p homophily=0.2[/bold]."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    add_completion=False,
)

console = Console(markup=False)  # user text (names, paths, messages) is never read as markup
err_console = Console(stderr=True, markup=False)

try:  # recent typer vendors click privately; older typer depends on click itself
    from typer._click.exceptions import ClickException, UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import ClickException, UsageError
Abort = typer.Abort

# Errors a user can fix by changing the input; anything else is a bug and keeps its traceback.
USER_ERRORS = (ValueError, KeyError, FileNotFoundError, IsADirectoryError, NotADirectoryError,
               PermissionError, FileExistsError, MissingExtra)

DatasetArg = Annotated[str, typer.Argument(help="Dataset name (see `oversmooth datasets`).")]
ParamOpt = Annotated[
    Optional[list[str]],
    typer.Option("--param", "-p", metavar="KEY=VALUE",
                 help="Generator parameter of a synthetic graph, repeatable: -p num_nodes=5000."),
]
RootOpt = Annotated[
    Optional[str], typer.Option("--root", help="Data root (default $OVERSMOOTH_DATA or ~/.cache/oversmooth).")
]
SplitOpt = Annotated[int, typer.Option("--split", help="Which of the 10 splits, for multi-split datasets.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


def parse_params(items: list[str] | None) -> dict[str, Any]:
    """Turn ``["num_nodes=100", "block_sizes=[50,50]"]`` into keyword arguments."""
    params: dict[str, Any] = {}
    for item in items or []:
        key, sep, text = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"parameter {item!r} is not of the form KEY=VALUE")
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            value = text.strip()
        params[key.strip().replace("-", "_")] = value
    return params


#: Settings with a flag of their own: given as ``-o KEY=VALUE`` they are an error, not a
#: second way that could silently disagree with the flag.
DEDICATED_FLAGS = {"epochs": "--epochs", "lr": "--lr", "weight_decay": "--weight-decay",
                   "patience": "--patience", "hidden_channels": "--hidden", "seed": "--seed",
                   "monitor": "--monitor", "depth": "--depth"}


def parse_options(items: list[str] | None, flags: tuple[str, ...] = tuple(DEDICATED_FLAGS)) -> dict[str, Any]:
    """``-o KEY=VALUE`` model options (see :func:`parse_params`); a KEY in ``flags`` has its own
    flag and is refused."""
    options = parse_params(items)
    for key in options:
        if key in flags:
            raise ValueError(f"-o {key}=... duplicates a flag: use {DEDICATED_FLAGS[key]} instead")
    return options


def load_graph(name: str, params: list[str] | None = None, root: str | None = None, split: int = 0):
    """Load a dataset for a command, applying ``-p`` parameters."""
    from ..datasets import load

    return load(name, root=root, split=split, **parse_params(params))


def _jsonable(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return _jsonable(value.item())
    return value


def print_json(obj) -> None:
    """Print ``obj`` as JSON on stdout (non-finite floats become null)."""
    sys.stdout.write(json.dumps(_jsonable(obj), indent=2) + "\n")


def print_error(message) -> None:
    """``error: MESSAGE`` as one line on stderr; the message is never read as rich markup."""
    text = " ".join(str(message).split()) or "unknown error"
    err_console.print(Text("error: ", style="bold red") + Text(text), highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning user errors into one line on stderr and exit code 2."""
    try:
        code = app(args=argv, prog_name="oversmooth", standalone_mode=False)
    except UsageError as exc:  # a flag of the wrong type, a missing argument: one line
        if type(exc).__name__ == "NoArgsIsHelpError":  # `oversmooth` alone: the help, as before
            sys.stdout.write(exc.format_message() + "\n")
            raise SystemExit(2) from None
        command = exc.ctx.command_path if exc.ctx is not None else "oversmooth"
        print_error(f"{exc.format_message()} (see `{command} --help`)")
        raise SystemExit(2) from None
    except Abort:
        err_console.print("interrupted")
        raise SystemExit(130) from None
    except ClickException as exc:
        print_error(exc.format_message())
        raise SystemExit(exc.exit_code) from None
    except USER_ERRORS as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print_error(message)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        err_console.print("interrupted")
        raise SystemExit(130) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)
