#pragma once

/// @file
/// @brief The signal game's "mlp" features: a small digit classifier's hidden activations, computed once and
/// cached.
///
/// The "mlp" features of the signal game: instead of a concept image's pixels, each of its digits is
/// described by what a small digit classifier computes for it, which stands in for the reference experiment's
/// features of a pretrained image network (semantic, nearly linearly separable, real-valued and signed).
///
/// The classifier is an MLP 784 -> 512 -> 512 -> 10 (ReLU after both hidden layers) on pixels / 255, trained
/// once on the pool's training digits with a short fixed schedule (Adam, cross-entropy, minibatches in a
/// shuffled order). A digit's features are the second hidden layer's 512 activations before its ReLU, so they
/// can be negative; a concept image concatenates them over its digits and scales the result to unit L2 norm
/// (data::ConceptImages::features).
///
/// Determinism: the initialisation and the minibatch order come from a generator of their own (the global one
/// is never touched), and the training and the feature pass run on one thread (the caller's thread count is
/// restored afterwards), so the features are the same bytes whatever the thread count. They are cached in a
/// file whose name and stored key cover everything they depend on (the digits' bytes and labels, the
/// architecture, the schedule, the LibTorch version), so a changed input never reuses a stale file.

#include <cstdint>
#include <ostream>
#include <string>

#include "mixdist/data/concept_pool.h"

namespace mixdist::experiments::signal_game {

/// The digit classifier's architecture and training schedule (everything the features depend on besides
/// the digits).
struct MlpSchedule {
  /// Width of both hidden layers; the features' dimension, >= 1.
  int64_t hidden = 512;
  /// Training epochs over the training digits, >= 1.
  int64_t epochs = 2;
  /// Digits per minibatch, >= 1.
  int64_t batch_size = 128;
  /// Adam's learning rate, > 0.
  double lr = 1e-3;
  /// Seed of the classifier's own generator (initialisation and minibatch order), >= 0.
  int64_t seed = 20220426;
};

/// The features of every training and test digit.
struct MlpDigitFeatures {
  /// [N_train, hidden] float, one row per training digit.
  at::Tensor train, test;
  /// @var test
  /// [N_test, hidden] float, one row per test digit.

  /// Percentage of the test digits the classifier labels right (for the log).
  double test_accuracy = 0.0;
};

/// Trains the classifier on `train_digits` and returns the features of every training and test digit.
/// @param train_digits the digits the classifier is trained on (28 x 28 pixels, labels of >= 2 classes).
/// @param test_digits further digits to describe (the same classes).
/// @param schedule the classifier's architecture and schedule.
/// @throws c10::Error for malformed digits, differing class counts, an invalid schedule, or non-finite
///   features.
MlpDigitFeatures compute_mlp_digit_features(const data::DigitSet& train_digits,
                                            const data::DigitSet& test_digits,
                                            const MlpSchedule& schedule = MlpSchedule());

/// The cache file of those features in `cache_dir`: `signal_game_mlp_features-<hash of the key>.pt`, the key
/// covering the digits' bytes and labels, the architecture, the schedule and the LibTorch version.
std::string mlp_features_cache_path(const data::DigitSet& train_digits, const data::DigitSet& test_digits,
                                    const std::string& cache_dir,
                                    const MlpSchedule& schedule = MlpSchedule());

/// The features from the cache file when it holds them (its stored key equal to the expected one and tensors
/// of the right shape), otherwise computed and written there atomically (a write that fails is reported on
/// `log` and the computed features are returned all the same).
/// @param train_digits the digits the classifier is trained on.
/// @param test_digits further digits to describe.
/// @param cache_dir the cache folder; "": no cache, always computed.
/// @param schedule the classifier's architecture and schedule.
/// @param log reports training, its accuracy and the cache; nullptr: nowhere.
/// @throws c10::Error as compute_mlp_digit_features.
MlpDigitFeatures mlp_digit_features(const data::DigitSet& train_digits, const data::DigitSet& test_digits,
                                    const std::string& cache_dir, const MlpSchedule& schedule = MlpSchedule(),
                                    std::ostream* log = nullptr);

/// Sets pool.train.digits.features and pool.test.digits.features from mlp_digit_features (same arguments).
void attach_mlp_features(data::ConceptPool& pool, const std::string& cache_dir,
                         const MlpSchedule& schedule = MlpSchedule(), std::ostream* log = nullptr);

}  // namespace mixdist::experiments::signal_game
