"""Shared plumbing of the metrics: validation, float64 staging, per-call sharing.

Every public metric validates its input once at the boundary and then works on a
*detached* tensor on the input's own device; results are accumulated in float64. Graph
structure (simple edge list, degrees, components, invariant basis) comes from
:mod:`oversmooth.graph`, cached per ``edge_index`` tensor, so the probe can evaluate many
layers of one graph without recomputing it. Passes over the rows of ``x`` go by blocks of :data:`BLOCK_ELEMENTS`
entries, small enough to stay in cache, so no N x d float64 copy is ever made; within one
:func:`oversmooth.metrics.compute` call, statistics shared by several metrics (unit-row
sums, the Gram matrix) are computed once (:func:`shared`).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import threading

import torch
from torch import Tensor

from ..graph.validate import check_edge_index, check_features, check_labels

# Entries of float64 work per block (row blocks of x, edge blocks of gathered endpoints):
# about 2 MB, so a block's intermediates stay in cache and peak memory stays bounded.
BLOCK_ELEMENTS = 1 << 18


def blocks(count: int, width: int):
    """``slice`` objects covering ``range(count)`` in blocks of about BLOCK_ELEMENTS entries."""
    step = max(1, BLOCK_ELEMENTS // max(1, width))
    for start in range(0, count, step):
        yield slice(start, min(start + step, count))


def row_blocks(x: Tensor, *aligned: Tensor):
    """Row blocks of ``x`` (see :func:`blocks`), each with the same rows of ``aligned`` tensors.

    Yields ``x`` itself (not a view) when it fits one block: the probe's layers take this
    path, and the float64 copy staged for ``x`` is then found without slicing.
    """
    if x.numel() <= BLOCK_ELEMENTS:
        yield (x, *aligned) if aligned else x
        return
    for rows in blocks(x.size(0), x.size(1)):
        yield (x[rows], *(a[rows] for a in aligned)) if aligned else x[rows]


def check_x(x: Tensor, name: str = "x") -> Tensor:
    """Validate features and return them detached (no copy)."""
    check_features(x, name)
    if x.size(0) == 0:
        raise ValueError(f"{name} has no rows: the graph is empty")
    return x.detach()


def check_graph(x: Tensor, edge_index: Tensor, num_nodes: int | None = None) -> tuple[Tensor, Tensor]:
    """Validate ``x`` and ``edge_index`` together (same device, indices within ``x``'s rows)."""
    x = check_x(x)
    if num_nodes is not None and num_nodes != x.size(0):
        raise ValueError(f"num_nodes={num_nodes} but x has {x.size(0)} rows")
    check_edge_index(edge_index, x.size(0))
    if edge_index.device != x.device:
        raise ValueError(f"x is on {x.device} but edge_index is on {edge_index.device}; "
                         "move both to the same device")
    return x, edge_index.detach().long()


def _staged(x: Tensor) -> Tensor | None:
    """The float64 copy of ``x`` that :func:`stage` made in the current :func:`sharing` block."""
    memo = getattr(_LOCAL, "memo", None)
    if not memo or x.dtype == torch.float64:
        return None
    hit = memo.get(_key("float64", x))
    return None if hit is None else hit[1]


def float64(x: Tensor) -> Tensor:
    """``x`` in float64: the copy :func:`stage` made inside a :func:`sharing` block, else a new one.

    Callers never write into the result in place (it may be ``x`` itself or the staged copy).
    """
    staged = _staged(x)
    return staged if staged is not None else x.detach().to(torch.float64)


def stage(x: Tensor) -> None:
    """Inside a :func:`sharing` block, convert ``x`` to float64 once for every metric, if small.

    A layer of a few thousand nodes fits one block: every metric then reads the same float64
    copy instead of converting it again (the probe evaluates several metrics per layer).
    Larger inputs keep their block-by-block conversions (no N x d float64 copy).
    """
    if x.dtype != torch.float64 and x.numel() <= BLOCK_ELEMENTS:
        shared("float64", x, lambda: x.detach().to(torch.float64))


def sum_squares(x: Tensor) -> Tensor:
    """Sum of the squared entries of ``x`` in float64 (0-dim tensor)."""
    x64 = x if x.dtype == torch.float64 else _staged(x)
    flat = (x.to(torch.float64) if x64 is None else x64).detach().reshape(-1)
    return torch.dot(flat, flat)


def column_sums(x: Tensor) -> Tensor:
    """Float64 column sums of ``x`` (length d), block by block."""
    return sum(float64(block).sum(0) for block in row_blocks(x))


def sq_norm(x: Tensor) -> Tensor:
    """||x||_F^2 in float64 (0-dim tensor), computed block by block."""
    return shared("sq_norm", x, lambda: sum(sum_squares(block) for block in row_blocks(x)))


# --------------------------------------------------------------------------- per-call memo
_LOCAL = threading.local()


@contextlib.contextmanager
def sharing():
    """Within this block, :func:`shared` computes each statistic of a tensor once.

    Used by ``compute`` (and the probe) around one evaluation of several metrics on one
    ``x``; the memo is dropped on exit, so an in-place change of ``x`` between calls is
    always seen.
    """
    outer = getattr(_LOCAL, "memo", None)
    if outer is None:
        _LOCAL.memo = {}
    try:
        yield
    finally:
        if outer is None:
            _LOCAL.memo = None


def _key(name: str, x: Tensor) -> tuple:
    # storage, view geometry and version: x.detach() makes a new object for the same data
    # (inference tensors have no version counter; inside a sharing block they are temporaries)
    version = -1 if x.is_inference() else x._version
    return (name, x.data_ptr(), x.dtype, tuple(x.shape), x.stride(), version, x.device)


def shared(name: str, x: Tensor, compute):
    """``compute()``, memoised per (name, tensor) inside a :func:`sharing` block."""
    memo = getattr(_LOCAL, "memo", None)
    if memo is None:
        return compute()
    key = _key(name, x)
    if key not in memo:
        memo[key] = (x, compute())  # holding x keeps its storage (and so the key) unique
    return memo[key][1]


def is_shared(name: str, x: Tensor) -> bool:
    """Whether :func:`shared` already holds ``name`` for ``x``."""
    memo = getattr(_LOCAL, "memo", None)
    return memo is not None and _key(name, x) in memo


def generator(device: torch.device, seed: int) -> torch.Generator:
    gen = torch.Generator(device=device)
    gen.manual_seed(seed)
    return gen


def check_name(value: str, known: tuple[str, ...], what: str) -> None:
    if value not in known:
        raise ValueError(f"unknown {what} {value!r}; known: {', '.join(known)}")


def check_sampling(max_exact: int, count: int, count_name: str) -> None:
    """``max_exact`` an integer >= 0 and the sample size ``count`` an integer >= 1."""
    for name, value, minimum in (("max_exact", max_exact, 0), (count_name, count, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def check_labels_for(y: Tensor, x: Tensor) -> Tensor:
    """Validate one integer label per row of ``x`` on ``x``'s device."""
    check_labels(y, x.size(0))
    if y.device != x.device:
        raise ValueError(f"x is on {x.device} but y is on {y.device}; move both to the same device")
    return y.detach().long()


# --------------------------------------------------------------------------- extreme scales
#: Float64 input whose largest magnitude lies outside [2^-SAFE_EXPONENT, 2^SAFE_EXPONENT] is
#: scaled by a power of two (exact, no rounding) before any square is formed: squares of
#: 1e155 overflow float64 and squares of 1e-160 are subnormal. Float32 input never needs it
#: (its range squared fits float64).
SAFE_EXPONENT = 400


def scale_exponent(x) -> int:
    """``k`` such that ``x * 2**-k`` has its largest magnitude near 1, or 0 when ``x`` is safe."""
    if not isinstance(x, Tensor) or x.dtype != torch.float64 or x.numel() == 0:
        return 0
    largest = float(x.detach().abs().max())
    if not math.isfinite(largest) or largest == 0.0:
        return 0  # validation reports non-finite input; zeros need no scaling
    exponent = math.frexp(largest)[1]
    return exponent if abs(exponent) > SAFE_EXPONENT else 0


def unscale(value, exponent: int, name: str):
    """``value * 2**exponent`` (a float, an Estimate or a tensor), or a one-line error when the
    true value does not fit float64."""
    if exponent == 0:
        return value
    if isinstance(value, Tensor):
        out = torch.ldexp(value, torch.tensor(exponent, device=value.device))
        if not bool(torch.isfinite(out).all()):
            raise ValueError(f"{name} overflows float64 at this feature scale; rescale x")
        return out
    if isinstance(value, tuple):
        return type(value)(*(unscale(v, exponent, name) for v in value))
    try:
        return math.ldexp(value, exponent)
    except OverflowError:
        raise ValueError(f"{name} of this input is beyond the float64 range (about 2^"
                         f"{math.frexp(value)[1] + exponent}); divide x by a constant first") from None


def rescaled(power):
    """Decorate a metric of ``x`` (first argument) whose value scales like ``|x|^power``
    (``power`` an int, or a function of the bound arguments) so that float64 input at extreme
    scales is measured exactly: computed on ``x * 2**-k`` and scaled back by ``2**(k * power)``."""
    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(x, *args, **kwargs):
            k = scale_exponent(x)
            if k == 0:
                return fn(x, *args, **kwargs)
            p = power
            if callable(power):
                bound = signature.bind(x, *args, **kwargs)
                bound.apply_defaults()
                p = power(bound.arguments)
            scaled = torch.ldexp(x.detach(), torch.tensor(-k, device=x.device))
            return unscale(fn(scaled, *args, **kwargs), k * p, fn.__name__)
        return wrapper
    return decorate
