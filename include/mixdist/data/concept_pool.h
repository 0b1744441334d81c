#pragma once

// A pool of "concepts" with many images each, built from single digits, and the referential games played on
// it (the signal game: a sender sees one target image, a receiver must pick it among candidates of distinct
// concepts).
//
// Why digits in tuples: the game needs many more concepts than message symbols (otherwise one symbol per
// concept is a trivial code) and several different images of each concept, with test images that are other
// images of the same concepts. MNIST has only ten classes, so a concept is an ordered tuple of digit classes
// (three digits: 1000 concepts), and an image of a concept is one instance of each of its digits placed side
// by side. The pool stores instance indices only and composes the features of any image on demand.
//
// Everything here is a pure function of the data and explicit seeds: each builder uses its own generator
// (never the global one) and draws its numbers one at a time in a fixed order, so the pool and the fixed
// games are the same on every machine and for every thread count.

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace mixdist::data {

constexpr int64_t kDigitSide = 28;
constexpr int64_t kDigitPixels = kDigitSide * kDigitSide;

// Single digit images and their classes, the material concepts are composed of.
struct DigitSet {
  at::Tensor pixels;  // [N, 784] uint8
  at::Tensor labels;  // [N] int64 in [0, classes)
  int64_t classes = 10;
  // Optional [N, D] float: one feature vector per digit (e.g. a digit classifier's activations), which
  // ConceptImages::features then concatenates instead of the pixels. Undefined: the pixels are the features.
  at::Tensor features;
};

// The images of every concept in one split: image p of concept c is made of the digit instances
// instances[c][p][0..slots).
struct ConceptImages {
  DigitSet digits;
  at::Tensor instances;       // [concepts, images_per_concept, slots] int64, indices into digits
  at::Tensor concept_digits;  // [concepts, slots] int64: the class of each slot (ConceptPool's)

  int64_t concepts() const { return instances.size(0); }
  int64_t images_per_concept() const { return instances.size(1); }
  int64_t slots() const { return instances.size(2); }
  // slots x 784 for pixels, slots x D with digits.features.
  int64_t feature_dim() const;

  // Features of image `images[...]` of concept `concepts[...]` (int64 tensors of one shape S): [S..., F]
  // float, each row scaled to unit L2 norm (an all-zero row stays 0). Without digits.features: the slots'
  // 28 x 28 digits side by side as one 28 x (28 slots) picture read row by row, pixels / 255. With them: the
  // slots' digit feature vectors one after the other.
  at::Tensor features(const at::Tensor& concepts, const at::Tensor& images) const;
  // The same pictures as [S..., 28, 28 slots] float in [0, 1] (for figures).
  at::Tensor pictures(const at::Tensor& concepts, const at::Tensor& images) const;
};

struct ConceptPoolSpec {
  int64_t slots = 3;  // digits per concept: classes^slots concepts
  int64_t train_images_per_concept = 100;
  int64_t test_images_per_concept = 10;
  int64_t seed = 20220425;
};

// A concept pool: training images from one set of digit instances, test images from another (disjoint
// instances of the same concepts).
struct ConceptPool {
  ConceptImages train, test;
  at::Tensor concept_digits;  // [concepts, slots] int64: the class of each slot, first slot most significant

  int64_t concepts() const { return concept_digits.size(0); }
  int64_t slots() const { return concept_digits.size(1); }
  int64_t feature_dim() const { return train.feature_dim(); }
  // "train" or "test"; a named error otherwise.
  const ConceptImages& split(const std::string& name) const;
};

// Concept c (0-based) is the tuple of base-`classes` digits of c, most significant first (c = 123 is
// (1, 2, 3) for ten classes). For every concept and image, each slot takes an instance of its class drawn
// uniformly (with replacement across images) from `train_digits` or `test_digits`, using a generator seeded
// with spec.seed (test images from a second stream seeded spec.seed + 1). Every class must occur in both
// sets.
ConceptPool make_concept_pool(const DigitSet& train_digits, const DigitSet& test_digits,
                              const ConceptPoolSpec& spec);

// The pool of MNIST digits: training images from the 60,000 MNIST training digits, test images from the
// 10,000 test digits, from <data_dir>/mnist ("" = default_data_dir(); a missing file is a c10::Error naming
// the paths searched and `make data`).
ConceptPool load_mnist_concept_pool(const ConceptPoolSpec& spec, const std::string& data_dir = "");

// A small pool for tests: digits from data::make_synthetic_images (ten noisy bar prototypes; the class of an
// image is its prototype, so concepts are easy to tell apart), `digits` training and `digits` test instances
// generated from data_seed and data_seed + 1.
ConceptPool make_synthetic_concept_pool(const ConceptPoolSpec& spec, int64_t digits = 400,
                                        int64_t data_seed = 7);

// A batch of referential games: each row holds game_size candidates of distinct concepts, in the order the
// receiver sees them, each shown through one image; the target is the candidate at `labels`.
struct Games {
  at::Tensor concepts;  // [N, G] int64
  at::Tensor images;    // [N, G] int64, image index within its concept
  at::Tensor labels;    // [N] int64 in [0, G)

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
  int64_t game_size() const { return concepts.size(1); }
  at::Tensor target_concepts() const;  // [N]
  at::Tensor target_images() const;    // [N]
  // Rows [begin, end).
  Games slice(int64_t begin, int64_t end) const;
};

// n games over `concepts` concepts with `images_per_concept` images each: per game, game_size distinct
// concepts uniformly at random in random order, one image uniformly for each, and the target position
// uniform in [0, game_size). The numbers come from `generator` (a CPU generator; the caller's stream
// advances), so drawing from the global generator continues the stream a checkpoint saves.
Games draw_games(int64_t n, int64_t concepts, int64_t images_per_concept, int64_t game_size,
                 at::Generator generator);

// Fixed games of one split: draw_games from a fresh generator seeded with `seed`.
Games fixed_games(int64_t n, const ConceptImages& images, int64_t game_size, int64_t seed);

}  // namespace mixdist::data
