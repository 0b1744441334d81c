"""Independent pure-PyTorch references of the sparse maps and their losses (sort-based sparsemax and
1.5-entmax, bisection alpha-entmax), written from the papers, not from mixdist's C++."""

import torch


def _sorted_desc(x, dim):
    return torch.sort(x, dim=dim, descending=True)[0]


def _ranks(x, dim):
    """1, 2, ..., K along dim, shaped to broadcast against x."""
    K = x.shape[dim]
    shape = [1] * x.dim()
    shape[dim] = K
    return torch.arange(1, K + 1, dtype=x.dtype, device=x.device).view(shape)


def sparsemax_ref(x, dim=-1):
    """sparsemax by sort and prefix sums (Martins & Astudillo, 2016, Algorithm 1)."""
    z = _sorted_desc(x, dim)
    k = _ranks(x, dim)
    cumsum = z.cumsum(dim)
    support = (1 + k * z) > cumsum
    k_star = support.sum(dim=dim, keepdim=True)
    tau = (cumsum.gather(dim, k_star - 1) - 1) / k_star.to(x.dtype)
    return torch.clamp(x - tau, min=0)


def entmax15_ref(x, dim=-1):
    """1.5-entmax by sort (Peters, Niculae & Martins, 2019, Algorithm 2): p = [x/2 - tau]_+^2."""
    x = x / 2
    z = _sorted_desc(x, dim)
    k = _ranks(x, dim)
    mean = z.cumsum(dim) / k
    mean_sq = (z * z).cumsum(dim) / k
    delta = (1 - k * (mean_sq - mean * mean)) / k
    tau = mean - torch.sqrt(torch.clamp(delta, min=0))
    k_star = (tau <= z).sum(dim=dim, keepdim=True)
    tau_star = tau.gather(dim, k_star - 1)
    return torch.clamp(x - tau_star, min=0) ** 2


def entmax_bisect_ref(x, alpha, dim=-1, n_iter=200):
    """alpha-entmax by plain bisection on the threshold, in double: p = [(alpha - 1) x - tau]_+^(1/(alpha-1)).

    alpha is a float or a tensor broadcastable to x with size 1 along dim (alpha > 1).
    """
    x = x.double()
    alpha = torch.as_tensor(alpha, dtype=torch.float64)
    shape = list(x.shape)
    shape[dim] = 1
    alpha = alpha.expand(shape)
    xs = x * (alpha - 1)
    top = xs.max(dim=dim, keepdim=True)[0]
    lo, hi = top - 1, top  # the sum is >= 1 at lo (the top entry alone gives 1) and 0 at hi
    for _ in range(n_iter):
        mid = (lo + hi) / 2
        total = (torch.clamp(xs - mid, min=0) ** (1 / (alpha - 1))).sum(dim=dim, keepdim=True)
        lo = torch.where(total >= 1, mid, lo)
        hi = torch.where(total >= 1, hi, mid)
    p = torch.clamp(xs - lo, min=0) ** (1 / (alpha - 1))
    return p / p.sum(dim=dim, keepdim=True)


def fenchel_young_ref(x, target, p, alpha):
    """The Fenchel-Young loss H_alpha(p) + <p - e_y, x> per row of a [N, C] input, alpha a float > 1 or a
    tensor of shape [N]."""
    alpha = torch.as_tensor(alpha, dtype=x.dtype)
    if alpha.dim() == 0:
        alpha = alpha.expand(x.shape[0])
    tsallis = (1 - (p ** alpha.unsqueeze(1)).sum(dim=1)) / (alpha * (alpha - 1))
    onehot = torch.nn.functional.one_hot(target, x.shape[1]).to(x.dtype)
    return tsallis + ((p - onehot) * x).sum(dim=1)


def normmax_ref(x, alpha, dim=-1, n_iter=200):
    """alpha-normmax by bisection on tau in sum [x - tau]_+^(alpha/(alpha-1)) = 1, in double; p is
    [x - tau]_+^(1/(alpha-1)) normalised (the optimality conditions of max <x, p> - ||p||_alpha)."""
    x = x.double()
    top = x.max(dim=dim, keepdim=True)[0]
    lo, hi = top - 1, top
    for _ in range(n_iter):
        mid = (lo + hi) / 2
        total = (torch.clamp(x - mid, min=0) ** (alpha / (alpha - 1))).sum(dim=dim, keepdim=True)
        lo = torch.where(total >= 1, mid, lo)
        hi = torch.where(total >= 1, hi, mid)
    q = torch.clamp(x - lo, min=0) ** (1 / (alpha - 1))
    return q / q.sum(dim=dim, keepdim=True)


def budget_ref(x, budget, dim=-1, n_iter=200):
    """clamp(x - tau, 0, 1) summing to budget, by bisection on tau over [min - 1, max], in double."""
    x = x.double()
    lo = x.min(dim=dim, keepdim=True)[0] - 1
    hi = x.max(dim=dim, keepdim=True)[0]
    for _ in range(n_iter):
        mid = (lo + hi) / 2
        total = torch.clamp(x - mid, 0, 1).sum(dim=dim, keepdim=True)
        lo = torch.where(total >= budget, mid, lo)
        hi = torch.where(total >= budget, hi, mid)
    return torch.clamp(x - (lo + hi) / 2, 0, 1)
