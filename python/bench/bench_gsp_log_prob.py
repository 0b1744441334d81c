"""Gaussian-Sparsemax log-density from Python: mixdist's adaptive quadrature (GaussianSparsemax.log_prob)
against the 1000-point trapezoid rule in PyTorch that research code uses, in time and in accuracy.

    PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_gsp_log_prob.py [--threads 1] [--k 3,10]

The density of y on its face S (s = |S| entries > 0) is an integral over the sparsemax threshold tau:
    p(y) = s * integral of prod_{i in S} N(y_i + tau; loc_i, scale_i^2) * prod_{j not in S} Phi((tau - loc_j) /
    scale_j) dtau.
The trapezoid baseline is batched over points and given a fair grid: 1000 points over the tau range where the
support's Gaussian factors live (their peaks loc_i - y_i, +-8 scales). On that range the rule converges very
fast (the integrand is smooth and decays like a Gaussian), so the table also gives the fewest nodes (from 25,
doubling) at which the trapezoid is as accurate as mixdist, and its time: the equal-accuracy comparison.
Accuracy of both is measured against the same integral with 200,001 nodes (float64) on a subset of the points. Times are medians of interleaved
rounds in one process (the machine may be shared); the figure that matters is their ratio.
"""

import argparse
import datetime
import math
import platform
import statistics
import time

import torch

import mixdist.distributions as md


def trapezoid_log_density(loc, scale, y, points):
    """log p(y) for a batch y [N, K] by the trapezoid rule with `points` nodes per point, in log space."""
    support = y > 0
    s = support.sum(-1)
    peaks = torch.where(support, loc - y, torch.full_like(y, math.nan))
    low = peaks.nan_to_num(math.inf).amin(-1) - 8 * scale.amax()
    high = peaks.nan_to_num(-math.inf).amax(-1) + 8 * scale.amax()
    grid = torch.linspace(0, 1, points, dtype=y.dtype)
    tau = low[:, None] + (high - low)[:, None] * grid  # [N, points]
    on = (y[:, :, None] + tau[:, None, :] - loc[None, :, None]) / scale[None, :, None]
    off = (tau[:, None, :] - loc[None, :, None]) / scale[None, :, None]
    log_normal = -0.5 * on * on - torch.log(scale)[None, :, None] - 0.5 * math.log(2 * math.pi)
    terms = torch.where(support[:, :, None], log_normal, torch.special.log_ndtr(off))
    log_f = terms.sum(1)
    peak = log_f.amax(-1, keepdim=True)
    integral = torch.trapezoid((log_f - peak).exp(), tau, dim=-1)
    return torch.log(s.to(y.dtype)) + peak.squeeze(-1) + integral.log()


def median_time(fn, rounds, min_seconds):
    times = []
    for _ in range(rounds):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        times.append(elapsed / calls)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--k", default="3,10", help="comma-separated dimensions K")
    parser.add_argument("--n", type=int, default=1000, help="points per batch")
    parser.add_argument("--check", type=int, default=40, help="points checked against the 200,001-point rule")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{datetime.date.today()}, {platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{args.threads} thread(s), float64, {args.n} points from the distribution itself\n")
    print("| K | mixdist log_prob (ms) | 1000-point trapezoid (ms) | speed-up | max abs error mixdist | "
          "max abs error trapezoid | nodes for mixdist's accuracy | their time (ms) | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in (int(v) for v in args.k.split(",")):
        gen = torch.Generator().manual_seed(k)
        loc = torch.randn(k, generator=gen, dtype=torch.float64)
        scale = 0.5 + torch.rand(k, generator=gen, dtype=torch.float64)
        dist = md.GaussianSparsemax(loc, scale)
        y = dist.sample((args.n,), generator=gen)
        ours = lambda: dist.log_prob(y)  # noqa: E731
        theirs = lambda: trapezoid_log_density(loc, scale, y, 1000)  # noqa: E731
        t_ours = median_time(ours, args.rounds, args.min_seconds)
        t_theirs = median_time(theirs, args.rounds, args.min_seconds)
        sub = y[: args.check]
        reference = torch.cat([trapezoid_log_density(loc, scale, sub[i : i + 1], 200001) for i in range(len(sub))])
        err_ours = (dist.log_prob(sub) - reference).abs().max().item()
        err_theirs = (trapezoid_log_density(loc, scale, sub, 1000) - reference).abs().max().item()
        nodes = 25
        while (trapezoid_log_density(loc, scale, sub, nodes) - reference).abs().max().item() > err_ours:
            nodes *= 2
        t_equal = median_time(lambda: trapezoid_log_density(loc, scale, y, nodes), args.rounds, args.min_seconds)
        print(f"| {k} | {t_ours * 1e3:.3f} | {t_theirs * 1e3:.3f} | {t_theirs / t_ours:.1f}x | {err_ours:.1e} | "
              f"{err_theirs:.1e} | {nodes} | {t_equal * 1e3:.3f} | {t_equal / t_ours:.1f}x |")


if __name__ == "__main__":
    main()
