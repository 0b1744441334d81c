#include "mixdist/experiments/signal_game/language.h"

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace mixdist::experiments::signal_game {
namespace {

// 1-based ranks, ties sharing the mean of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& x) {
  std::vector<size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t i, size_t j) { return x[i] < x[j]; });
  std::vector<double> ranks(x.size());
  for (size_t begin = 0; begin < order.size();) {
    size_t end = begin + 1;
    while (end < order.size() && x[order[end]] == x[order[begin]]) ++end;
    const double rank = 0.5 * static_cast<double>(begin + 1 + end);  // mean of begin+1 .. end
    for (size_t k = begin; k < end; ++k) ranks[order[k]] = rank;
    begin = end;
  }
  return ranks;
}

}  // namespace

double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  TORCH_CHECK(a.size() == b.size(), "spearman_correlation: sizes differ (", a.size(), " and ", b.size(), ")");
  if (a.size() < 2) return 0.0;
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  const double n = static_cast<double>(a.size()), mean = (n + 1) / 2;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < ra.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (va == 0 || vb == 0) return 0.0;
  return cov / std::sqrt(va * vb);
}

LanguageStats analyse_language(const at::Tensor& messages, const at::Tensor& concept_digits,
                               int64_t topsim_messages) {
  TORCH_CHECK(messages.dim() == 2 && concept_digits.dim() == 2 && messages.size(0) == concept_digits.size(0),
              "analyse_language: messages must be [N, V] and concept_digits [N, slots], got ",
              messages.sizes(), " and ", concept_digits.sizes());
  const int64_t N = messages.size(0), V = messages.size(1);
  LanguageStats s;
  if (N == 0) return s;
  const at::Tensor m = messages.to(at::kDouble).contiguous();

  const at::Tensor counts = at::bincount(m.argmax(1), /*weights=*/{}, V).to(at::kDouble);
  const at::Tensor p = counts.masked_select(counts.gt(0)) / static_cast<double>(N);
  s.symbol_entropy = -(p * p.log2()).sum().item<double>();
  s.distinct_symbols = p.size(0);

  std::set<std::vector<bool>> supports;
  const at::Tensor nonzero = m.ne(0).contiguous();
  const bool* nz = nonzero.data_ptr<bool>();
  for (int64_t i = 0; i < N; ++i) supports.emplace(nz + i * V, nz + (i + 1) * V);
  s.distinct_supports = static_cast<int64_t>(supports.size());

  const int64_t n = std::min(N, topsim_messages);
  const at::Tensor sample = m.slice(0, 0, n);
  const at::Tensor message_distance = 0.5 * at::cdist(sample, sample, /*p=*/1).contiguous();
  const at::Tensor digits = concept_digits.slice(0, 0, n).to(at::kLong);
  const at::Tensor concept_distance =
      digits.unsqueeze(1).ne(digits.unsqueeze(0)).sum(2).to(at::kDouble).contiguous();
  std::vector<double> a, b;
  a.reserve(static_cast<size_t>(n * (n - 1) / 2));
  b.reserve(a.capacity());
  const double* md = message_distance.data_ptr<double>();
  const double* cd = concept_distance.data_ptr<double>();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      a.push_back(cd[i * n + j]);
      b.push_back(md[i * n + j]);
    }
  s.topographic_similarity = spearman_correlation(a, b);
  return s;
}

}  // namespace mixdist::experiments::signal_game
