"""Benchmark of mixdist's sparse maps from Python against torch.softmax and the entmax algorithms written in
PyTorch (sort + cumsum for sparsemax and 1.5-entmax; 50-step bisection for alpha-entmax, alpha-normmax and
budget sparsemax, as the entmax package), forward and forward+backward, on one thread.

    make bench-python                         # or:
    PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_maps.py [--threads 1] [--shapes 1024x10,...]

Every figure is a ratio of two times measured in the same process on the same input, interleaved in rounds
(median over rounds), since the machine may be shared. Input: randn(B, K) in float32 (seed 0).
"""

import argparse
import datetime
import platform
import statistics
import time

import torch

import mixdist

ANCHOR_SHAPES = ["1024x10", "1024x100", "256x1000", "64x10000", "8x100000"]
PAPER_SHAPES = ["8192x2", "1024x16", "10000x10"]
OVERHEAD_SHAPE = "1x10"


# ------------------------------------------------------------------ baselines: entmax's algorithms in PyTorch
class _SortSparsemax(torch.autograd.Function):
    """sparsemax by a full sort and prefix sums (Martins & Astudillo, 2016), closed-form backward."""

    @staticmethod
    def forward(ctx, x):
        z = torch.sort(x, dim=-1, descending=True)[0]
        k = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype, device=x.device)
        cumsum = z.cumsum(-1) - 1
        support = (k * z > cumsum).sum(-1, keepdim=True)
        tau = cumsum.gather(-1, support - 1) / support.to(x.dtype)
        y = torch.clamp(x - tau, min=0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        on = y > 0
        g = g * on
        return g - on * (g.sum(-1, keepdim=True) / on.sum(-1, keepdim=True))


class _SortEntmax15(torch.autograd.Function):
    """1.5-entmax by a full sort (Peters, Niculae & Martins, 2019, Algorithm 2), closed-form backward."""

    @staticmethod
    def forward(ctx, x):
        x = (x - x.max(-1, keepdim=True)[0]) / 2
        z = torch.sort(x, dim=-1, descending=True)[0]
        k = torch.arange(1, x.shape[-1] + 1, dtype=x.dtype, device=x.device)
        mean = z.cumsum(-1) / k
        mean_sq = (z * z).cumsum(-1) / k
        tau = mean - torch.sqrt(torch.clamp((1 - k * (mean_sq - mean * mean)) / k, min=0))
        support = (tau <= z).sum(-1, keepdim=True)
        y = torch.clamp(x - tau.gather(-1, support - 1), min=0) ** 2
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        s = y.sqrt()
        gs = g * s
        return gs - s * (gs.sum(-1, keepdim=True) / s.sum(-1, keepdim=True))


def _bisect_from_top(x, alpha, n_iter, mass):
    """entmax's bisection on tau in [max - 1, max - (1/K)^(alpha-1)]: n_iter halvings keeping the side where
    mass([x - tau]_+^(1/(alpha-1))) >= 1; returns that power at the last midpoint, normalised."""
    top = x.max(-1, keepdim=True)[0]
    lo, width = top - 1, 1 - (1 / x.shape[-1]) ** (alpha - 1)
    for _ in range(n_iter):
        width = width / 2
        mid = lo + width
        p = torch.clamp(x - mid, min=0) ** (1 / (alpha - 1))
        lo = torch.where(mass(p) >= 1, mid, lo)
    return p / p.sum(-1, keepdim=True)


class _BisectEntmax(torch.autograd.Function):
    """alpha-entmax by n_iter bisection steps (entmax's root_finding), closed-form backward in x."""

    @staticmethod
    def forward(ctx, x, alpha, n_iter):
        p = _bisect_from_top(x * (alpha - 1), alpha, n_iter, lambda p: p.sum(-1, keepdim=True))
        ctx.alpha = alpha
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        s = torch.where(y > 0, y ** (2 - ctx.alpha), y.new_zeros(()))
        gs = g * s
        return gs - s * (gs.sum(-1, keepdim=True) / s.sum(-1, keepdim=True)), None, None


class _BisectNormmax(torch.autograd.Function):
    """alpha-normmax by n_iter bisection steps (entmax's normmax_bisect), closed-form backward."""

    @staticmethod
    def forward(ctx, x, alpha, n_iter):
        p = _bisect_from_top(x, alpha, n_iter, lambda p: (p**alpha).sum(-1, keepdim=True))
        ctx.alpha = alpha
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        a = ctx.alpha
        s = torch.where(y > 0, y ** (2 - a), y.new_zeros(()))
        h = (y**a).sum(-1, keepdim=True) ** ((a - 1) / a) / (a - 1) * s * (g - (g * y).sum(-1, keepdim=True))
        return h - h.sum(-1, keepdim=True) * y, None, None


class _BisectBudget(torch.autograd.Function):
    """budget sparsemax by n_iter bisection steps (entmax's budget_bisect), closed-form backward."""

    @staticmethod
    def forward(ctx, x, budget, n_iter):
        lo = x.min(-1, keepdim=True)[0] - budget / x.shape[-1]
        width = x.max(-1, keepdim=True)[0] - budget / x.shape[-1] - lo
        for _ in range(n_iter):
            width = width / 2
            mid = lo + width
            p = torch.clamp(x - mid, 0, 1)
            lo = torch.where(p.sum(-1, keepdim=True) >= budget, mid, lo)
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        free = (y > 0) & (y < 1)
        mean = (g * free).sum(-1, keepdim=True) / free.sum(-1, keepdim=True).clamp_min(1)
        return torch.where(free, g - mean, g.new_zeros(())), None, None


MAPS = {
    # name: (mixdist's map, entmax's algorithm in PyTorch, that algorithm's name)
    "sparsemax": (lambda x: mixdist.sparsemax(x), _SortSparsemax.apply, "sort"),
    "entmax15": (lambda x: mixdist.entmax15(x), _SortEntmax15.apply, "sort"),
    "entmax a=1.3": (
        lambda x: mixdist.entmax_bisect(x, 1.3),
        lambda x: _BisectEntmax.apply(x, 1.3, 50),
        "bisect",
    ),
    "normmax a=2": (
        lambda x: mixdist.normmax_bisect(x, 2.0),
        lambda x: _BisectNormmax.apply(x, 2.0, 50),
        "bisect",
    ),
    "budget b=2": (
        lambda x: mixdist.budget_bisect(x, 2.0),
        lambda x: _BisectBudget.apply(x, 2.0, 50),
        "bisect",
    ),
}


# ------------------------------------------------------------------ timing
def _forward(fn, x):
    def run():
        with torch.no_grad():
            fn(x)

    return run


def _forward_backward(fn, x, g):
    def run():
        torch.autograd.grad(fn(x), x, g)

    return run


def _calibrate(run, min_seconds):
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            run()
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return n
        n = max(n * 2, int(n * min_seconds / max(elapsed, 1e-9) * 1.2))


def measure(contenders, rounds, min_seconds):
    """Median over interleaved rounds of the time per call (seconds) of each contender (name -> run())."""
    counts = {name: _calibrate(run, min_seconds) for name, run in contenders.items()}
    times = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            start = time.perf_counter()
            for _ in range(counts[name]):
                run()
            times[name].append((time.perf_counter() - start) / counts[name])
    return {name: statistics.median(t) for name, t in times.items()}


def bench_shape(shape, maps, rounds, min_seconds):
    B, K = (int(v) for v in shape.split("x"))
    torch.manual_seed(0)
    x = torch.randn(B, K).requires_grad_()
    g = torch.randn(B, K)
    contenders = {
        ("softmax", "fwd"): _forward(lambda t: torch.softmax(t, -1), x),
        ("softmax", "fwdbwd"): _forward_backward(lambda t: torch.softmax(t, -1), x, g),
    }
    for name in maps:
        ours, theirs, _ = MAPS[name]
        contenders[(name, "fwd")] = _forward(ours, x)
        contenders[(name, "fwdbwd")] = _forward_backward(ours, x, g)
        contenders[(name, "base fwd")] = _forward(theirs, x)
        contenders[(name, "base fwdbwd")] = _forward_backward(theirs, x, g)
    return measure(contenders, rounds, min_seconds)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shapes", default=",".join([OVERHEAD_SHAPE] + ANCHOR_SHAPES + PAPER_SHAPES))
    parser.add_argument("--maps", default=",".join(MAPS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.05, help="per contender and round")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    maps = [m for m in args.maps.split(",") if m]
    for m in maps:
        if m not in MAPS:
            parser.error(f"unknown map {m!r}; choose from {', '.join(MAPS)}")

    print(
        f"# mixdist {mixdist.__version__} from Python: torch {torch.__version__}, {args.threads} thread(s), "
        f"{datetime.date.today().isoformat()}, {platform.machine()}, float32 randn(B, K), median of "
        f"{args.rounds} interleaved rounds"
    )
    print()
    print("Columns per map: mixdist's time as a multiple of torch.softmax's (fwd, fwd+bwd), then how many")
    print("times faster mixdist is than entmax's algorithm in PyTorch (sort or 50-step bisection), fwd and")
    print("fwd+bwd.")
    print()
    header = ["B x K", "softmax fwd (us)", "softmax fwd+bwd (us)"]
    for m in maps:
        base = MAPS[m][2]
        header += [f"{m} fwd /softmax", f"{m} f+b /softmax", f"{base}/{m} fwd", f"{base}/{m} f+b"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for shape in [s for s in args.shapes.split(",") if s]:
        t = bench_shape(shape, maps, args.rounds, args.min_seconds)
        row = [shape, f"{t[('softmax', 'fwd')] * 1e6:.1f}", f"{t[('softmax', 'fwdbwd')] * 1e6:.1f}"]
        for m in maps:
            row += [
                f"{t[(m, 'fwd')] / t[('softmax', 'fwd')]:.2f}",
                f"{t[(m, 'fwdbwd')] / t[('softmax', 'fwdbwd')]:.2f}",
                f"{t[(m, 'base fwd')] / t[(m, 'fwd')]:.1f}",
                f"{t[(m, 'base fwdbwd')] / t[(m, 'fwdbwd')]:.1f}",
            ]
        print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
