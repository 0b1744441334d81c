#!/usr/bin/python3
"""Cross-check, outside the C++ build: does the authors' Gaussian-Sparsemax VAE recipe collapse in PyTorch too?

mixdist's Gaussian-Sparsemax VAE collapses onto one vertex in its first ~30 steps (README, "Gaussian-Sparsemax
collapses"). This script trains the same model with PyTorch, written from docs/experiments.md#the-mnist-mixed-latent-vae (cfg
iclr-gaussiansp.json: z in the 10-simplex, 784-500-500-20 encoder with input/hidden dropout 0.1, 10-500-500-784
Bernoulli decoder, loc clamped to [-100, 100], scale = clamp(softplus, 1e-3, 1e3), prior MaxEntropyFaces(10, 0)
x Dir(1) on the face, KL by one independent Monte Carlo sample, log-density with the authors' 1000-point u-grid
trapezoid, two Adams at lr 5e-4 (L2 1e-6 on the encoder), global gradient-norm clip 1.0, batch 100, dynamic
binarisation), so that no mixdist code is involved. It prints the support size of the codes and which vertex
each row's largest loc picks.

Needs Debian's python3-torch, python3-scipy and python3-numpy (not installed by the project) and the MNIST files
of `make data`:
    /usr/bin/python3 scripts/crosscheck/gsp_vae_pytorch.py --seed 10 --steps 1100
"""
import argparse
import math

import numpy as np
import torch
import torch.distributions as td
import torch.nn as nn
from scipy.special import ndtri

K, BATCH, TRAIN = 10, 100, 55000


def load_images(path):
    raw = np.fromfile(path, dtype=np.uint8)[16:]  # IDX header: magic, count, rows, cols
    return torch.tensor(raw.reshape(-1, 784)[:TRAIN], dtype=torch.float32) / 255.0


class Sparsemax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, z):
        zs, _ = z.sort(-1, descending=True)
        cs = zs.cumsum(-1)
        ranks = torch.arange(1, z.shape[-1] + 1, dtype=z.dtype)
        k = (1 + ranks * zs > cs).sum(-1, keepdim=True)
        p = (z - (cs.gather(-1, k - 1) - 1) / k).clamp_min(0)
        ctx.save_for_backward(p)
        return p

    @staticmethod
    def backward(ctx, g):
        (p,) = ctx.saved_tensors
        s = (p > 0).to(g.dtype)
        return s * (g - (g * s).sum(-1, keepdim=True) / s.sum(-1, keepdim=True))


class LogNdtr(torch.autograd.Function):
    # PyTorch 1.13's log_ndtr backward turns NaN far in the left tail; phi/Phi = sqrt(2/pi)/erfcx(-x/sqrt 2)
    # is finite everywhere.
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.special.log_ndtr(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * math.sqrt(2 / math.pi) / torch.special.erfcx(-x / math.sqrt(2))


def gsp_log_prob(y, loc, scale, inv_cdf, log_du):
    """log q(y) w.r.t. the direct-sum measure (docs/experiments.md#mnist-vae-the-six-latent-models), pivot = first support index."""
    zero = y.new_zeros(1)
    var = scale**2
    face = y > 0
    pivot = nn.functional.one_hot(face.float().argmax(-1), K).bool()
    others = face ^ pivot
    y_p = (y * pivot).sum(-1, keepdim=True)
    loc_p = torch.where(pivot, loc, zero).sum(-1, keepdim=True)
    scale_p = torch.where(pivot, scale, zero).sum(-1, keepdim=True)
    # Differences to the pivot: low-rank normal on the face's other coordinates, padded with N(0; 0, 1) rows.
    diffs = td.LowRankMultivariateNormal(
        torch.where(others, loc - loc_p, zero),
        cov_factor=torch.where(others, scale_p, zero).unsqueeze(-1),
        cov_diag=torch.where(others, var, var.new_ones(1)),
    ).log_prob(torch.where(others, y - y_p, zero))
    diffs = diffs + (~others).float().sum(-1) * 0.5 * math.log(2 * math.pi)
    # Probability that every zero coordinate stays below the threshold, by the u-grid trapezoid.
    v = torch.where(face, 1 / var, zero).sum(-1, keepdim=True).reciprocal()
    m = v * torch.where(face, (loc - y) / var, zero).sum(-1, keepdim=True)
    t = (m.unsqueeze(-1) + v.sqrt().unsqueeze(-1) * inv_cdf - loc.unsqueeze(-1)) / scale.unsqueeze(-1)
    log_f = torch.where(face.unsqueeze(-1), zero, LogNdtr.apply(t)).sum(-2)
    log_cdf = (torch.logaddexp(log_f[..., :-1], log_f[..., 1:]) - math.log(2) + log_du).logsumexp(-1)
    return diffs + log_cdf + face.float().sum(-1).log()


def prior_log_prob(y):
    """MaxEntropyFaces(10, 0) as coded by the authors (p(n) ∝ 1/(n-1)!, spread over C(K, n) faces) x Dir(1)."""
    n = (y > 0).sum(-1)
    sizes = torch.arange(1, K + 1, dtype=torch.float64)
    log_pmf_n = -torch.lgamma(sizes) - torch.logsumexp(-torch.lgamma(sizes), 0)
    log_binom = math.lgamma(K + 1) - torch.lgamma(sizes + 1) - torch.lgamma(K - sizes + 1)
    return (log_pmf_n - log_binom).float()[n - 1] + torch.lgamma(n.float())


def mlp(inputs, outputs, p_drop):
    return nn.Sequential(nn.Dropout(p_drop), nn.Linear(inputs, 500), nn.ReLU(), nn.Dropout(p_drop),
                         nn.Linear(500, 500), nn.ReLU(), nn.Linear(500, outputs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--steps", type=int, default=1100)
    ap.add_argument("--images", default="data/mnist/train-images-idx3-ubyte")
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)

    images = load_images(args.images)
    us = np.linspace(0, 1, 1002)[1:-1]
    inv_cdf, log_du = torch.tensor(ndtri(us), dtype=torch.float32), math.log(us[1] - us[0])
    encoder, decoder = mlp(784, 2 * K, 0.1), mlp(K, 784, 0.0)
    opt_q = torch.optim.Adam(encoder.parameters(), lr=5e-4, weight_decay=1e-6)
    opt_p = torch.optim.Adam(decoder.parameters(), lr=5e-4)
    # This first permutation is replaced at step 0; it stays because it advances the random stream that the
    # numbers quoted in the README were measured with.
    order = torch.randperm(TRAIN)
    for step in range(args.steps):
        if step % (TRAIN // BATCH) == 0:
            order = torch.randperm(TRAIN)
        first = (step % (TRAIN // BATCH)) * BATCH
        x = torch.bernoulli(images[order[first:first + BATCH]])
        params = encoder(x)
        loc = params[:, :K].clamp(-100, 100)
        scale = nn.functional.softplus(params[:, K:]).clamp(1e-3, 1e3)
        z = Sparsemax.apply(loc + scale * torch.randn_like(loc))
        ll = td.Independent(td.Bernoulli(logits=decoder(z)), 1).log_prob(x)
        z_kl = Sparsemax.apply(loc + scale * torch.randn_like(loc))
        kl = gsp_log_prob(z_kl, loc, scale, inv_cdf, log_du) - prior_log_prob(z_kl)
        loss = -(ll - kl).mean()
        opt_q.zero_grad()
        opt_p.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(list(encoder.parameters()) + list(decoder.parameters()), 1.0)
        opt_q.step()
        opt_p.step()
        if step % 50 == 0 or (step < 50 and step % 10 == 0) or step == args.steps - 1:
            with torch.no_grad():
                top = torch.bincount(loc.argmax(-1), minlength=K).tolist()
                print(f"step {step:5d}  -ELBO {loss.item():7.2f}  D {-ll.mean().item():7.2f}  "
                      f"R {kl.mean().item():5.2f}  support {(z > 0).sum(-1).float().mean().item():4.2f}  "
                      f"loc spread {(loc.max(-1).values - loc.min(-1).values).mean().item():6.2f}  "
                      f"rows per argmax-loc vertex {top}", flush=True)


if __name__ == "__main__":
    main()
