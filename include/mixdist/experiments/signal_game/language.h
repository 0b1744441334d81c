#pragma once

// What the emergent language looks like, beyond whether it works (the measures EGG users expect):
//   symbol entropy     the entropy, in bits, of which symbol carries each message's largest weight, over the
//                      games (log2 V at most; low: few symbols do all the talking);
//   distinct symbols   how many symbols are some message's largest;
//   distinct supports  how many different sets of nonzero symbols the messages use (1 for Gumbel-Softmax,
//                      whose messages are dense);
//   topographic similarity  the Spearman correlation, over all pairs of a sample of targets, between how
//                      many digits two concepts differ in and how far apart their messages are (total
//                      variation, half the L1 distance): high when similar concepts get similar messages.

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace mixdist::experiments::signal_game {

struct LanguageStats {
  double symbol_entropy = 0;  // bits
  int64_t distinct_symbols = 0;
  int64_t distinct_supports = 0;
  double topographic_similarity = 0;  // 0 when either distance is constant over the pairs
};

// messages [N, V] (points of the simplex), concept_digits [N, slots] int64 (the target concepts' digits).
// The topographic similarity uses the first min(N, topsim_messages) messages.
LanguageStats analyse_language(const at::Tensor& messages, const at::Tensor& concept_digits,
                               int64_t topsim_messages);

// Spearman's rank correlation (ties get their average rank); 0 when either input is constant.
double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mixdist::experiments::signal_game
