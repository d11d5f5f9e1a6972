"""`oversmooth claims`: measure what every claim in circulation needs and print its verdict."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from ._app import JsonOpt, app, console, print_json


@app.command("claims")
def claims_command(
    full: Annotated[bool, typer.Option("--full", help="The full budget (3 seeds, 400 epochs, deeper rows, the attention rows).")] = False,
    budget: Annotated[Optional[str], typer.Option("--budget", help="A named budget: default, full, tiny.")] = None,
    store: Annotated[Optional[str], typer.Option("--store", help="Keep the trained runs and the other "
                                                                 "measurements in this store (resumes; default: a "
                                                                 "temporary one); `oversmooth report` of it draws "
                                                                 "each claim's figure.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Parallel training runs.")] = 1,
    json: JsonOpt = False,
) -> None:
    """Give every claim about deep GNNs a verdict from measurements made now.

    Verdicts: confirmed, contradicted, partly (which part is which), not measured (what
    it needs, or why it is not measurable offline). The default budget trains on Cora
    with one seed and finishes in minutes on two cores; --full is the slow one.

    [bold]Examples[/bold]

      oversmooth claims
      oversmooth claims --full --store claims.db --json
      oversmooth claims --store claims.db && oversmooth report claims.db -o claims.html
    """
    from ..experiments.claims import run_claims

    if full and budget not in (None, "full"):
        raise ValueError("--full and --budget name two budgets; pass one")
    result = run_claims("full" if full else budget or "default", store, jobs=jobs, progress=True)  # on stderr
    if json:
        print_json(result.to_dict())
        return
    table = Table(title=f"claims ({result.settings['budget']['name']} budget, {result.seconds:.0f} s)")
    for column in ("group", "id", "verdict", "why"):
        table.add_column(column, overflow="fold")
    for c in result.claims:
        table.add_row(c.group, c.id, c.verdict, c.explanation)
    console.print(table)
