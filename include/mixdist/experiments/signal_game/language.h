#pragma once

/// @file
/// @brief Measures of the emergent language: symbol entropy, distinct symbols and supports, topographic
/// similarity.
///
/// What the emergent language looks like, beyond whether it works (the measures EGG users expect):
/// @verbatim
///   symbol entropy     the entropy, in bits, of which symbol carries each message's largest weight, over the
///                      games (log2 V at most; low: few symbols do all the talking);
///   distinct symbols   how many symbols are some message's largest;
///   distinct supports  how many different sets of nonzero symbols the messages use (1 for Gumbel-Softmax,
///                      whose messages are dense);
///   topographic similarity  the Spearman correlation, over all pairs of a sample of targets, between how
///                      many digits two concepts differ in and how far apart their messages are (total
///                      variation, half the L1 distance): high when similar concepts get similar messages.
/// @endverbatim

#include <ATen/ATen.h>

#include <cstdint>
#include <vector>

namespace mixdist::experiments::signal_game {

/// The language measures of a set of messages (all 0 for no messages).
struct LanguageStats {
  /// Entropy, in bits, of which symbol is each message's largest (ties: the first), in [0, log2 V].
  double symbol_entropy = 0;
  /// How many symbols are some message's largest.
  int64_t distinct_symbols = 0;
  /// How many different sets of nonzero symbols the messages use.
  int64_t distinct_supports = 0;
  /// Spearman correlation of concept distance and message distance over pairs, in [-1, 1]; 0 when either
  /// distance is constant over the pairs (or there are fewer than two pairs).
  double topographic_similarity = 0;
};

/// The language measures of `messages` (see the file's description).
/// @param messages [N, V], points of the simplex.
/// @param concept_digits [N, slots] int64, the target concepts' digits.
/// @param topsim_messages the topographic similarity uses the first min(N, topsim_messages) messages.
/// @throws c10::Error if messages is not [N, V] or concept_digits not [N, slots].
LanguageStats analyse_language(const at::Tensor& messages, const at::Tensor& concept_digits,
                               int64_t topsim_messages);

/// Spearman's rank correlation of `a` and `b` (ties get their average rank); 0 when either input is constant
/// or has fewer than two values.
/// @throws c10::Error if a and b differ in size.
double spearman_correlation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace mixdist::experiments::signal_game
