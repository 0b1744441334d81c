#pragma once

/// @file
/// @brief The signal game's data: a pool of concepts (tuples of digits) with many images each, and games on
///        it.
///
/// A pool of "concepts" with many images each, built from single digits, and the referential games played on
/// it (the signal game: a sender sees one target image, a receiver must pick it among candidates of distinct
/// concepts).
///
/// Why digits in tuples: the game needs many more concepts than message symbols (otherwise one symbol per
/// concept is a trivial code) and several different images of each concept, with test images that are other
/// images of the same concepts. MNIST has only ten classes, so a concept is an ordered tuple of digit classes
/// (three digits: 1000 concepts), and an image of a concept is one instance of each of its digits placed side
/// by side. The pool stores instance indices only and composes the features of any image on demand.
///
/// Everything here is a pure function of the data and explicit seeds: each builder uses its own generator
/// (never the global one) and draws its numbers one at a time in a fixed order, so the pool and the fixed
/// games are the same on every machine and for every thread count.

#include <ATen/ATen.h>

#include <cstdint>
#include <string>

namespace mixdist::data {

constexpr int64_t kDigitSide = 28;                         ///< Side of a digit image in pixels.
constexpr int64_t kDigitPixels = kDigitSide * kDigitSide;  ///< Pixels of a digit image (784).

/// Single digit images and their classes, the material concepts are composed of.
struct DigitSet {
  at::Tensor pixels;     ///< [N, 784] uint8
  at::Tensor labels;     ///< [N] integer (read as int64) in [0, classes)
  int64_t classes = 10;  ///< number of digit classes, >= 1
  /// Optional [N, D] float: one feature vector per digit (e.g. a digit classifier's activations), which
  /// ConceptImages::features then concatenates instead of the pixels. Undefined: the pixels are the features.
  at::Tensor features;
};

/// The images of every concept in one split: image p of concept c is made of the digit instances
/// instances[c][p][0..slots).
struct ConceptImages {
  DigitSet digits;            ///< the digit instances the images are made of
  at::Tensor instances;       ///< [concepts, images_per_concept, slots] int64, indices into digits
  at::Tensor concept_digits;  ///< [concepts, slots] int64: the class of each slot (ConceptPool's)

  int64_t concepts() const { return instances.size(0); }            ///< Number of concepts.
  int64_t images_per_concept() const { return instances.size(1); }  ///< Images of each concept.
  int64_t slots() const { return instances.size(2); }               ///< Digits per concept.
  /// The length F of a feature vector: slots x 784 for pixels, slots x D with digits.features.
  /// @return F.
  int64_t feature_dim() const;

  /// Features of image `images[...]` of concept `concepts[...]`, each row scaled to unit L2 norm.
  ///
  /// An all-zero row stays 0. Without digits.features: the slots' 28 x 28 digits side by side as one
  /// 28 x (28 slots) picture read row by row, pixels / 255. With them: the slots' digit feature vectors one
  /// after the other.
  /// @param concepts int64 concept indices in [0, concepts()), any shape S.
  /// @param images   int64 image indices in [0, images_per_concept()), shape S.
  /// @return [S..., F] float, F = feature_dim().
  /// @throws c10::Error if the shapes differ, or digits.features is defined but not [N, D] float.
  ///
  /// @code
  /// at::Tensor f = pool.train.features(games.concepts, games.images);  // [N, G, F]
  /// @endcode
  at::Tensor features(const at::Tensor& concepts, const at::Tensor& images) const;
  /// The same pictures as features() (without digits.features), for figures.
  /// @param concepts int64 concept indices in [0, concepts()), any shape S.
  /// @param images   int64 image indices in [0, images_per_concept()), shape S.
  /// @return [S..., 28, 28 slots] float in [0, 1].
  /// @throws c10::Error if the shapes differ.
  at::Tensor pictures(const at::Tensor& concepts, const at::Tensor& images) const;
};

/// How make_concept_pool() builds a pool.
struct ConceptPoolSpec {
  int64_t slots = 3;                       ///< digits per concept, in [1, 6]: classes^slots concepts
  int64_t train_images_per_concept = 100;  ///< training images of each concept, >= 1
  int64_t test_images_per_concept = 10;    ///< test images of each concept, >= 1
  int64_t seed = 20220425;                 ///< seed of the training images (test images: seed + 1)
};

/// A concept pool: training images from one set of digit instances, test images from another (disjoint
/// instances of the same concepts).
struct ConceptPool {
  ConceptImages train;  ///< the training images
  ConceptImages test;   ///< the test images: other instances of the same concepts
  /// [concepts, slots] int64: the class of each slot, first slot most significant.
  at::Tensor concept_digits;

  int64_t concepts() const { return concept_digits.size(0); }  ///< Number of concepts.
  int64_t slots() const { return concept_digits.size(1); }     ///< Digits per concept.
  int64_t feature_dim() const { return train.feature_dim(); }  ///< Length of a feature vector.
  /// The images of a split by name.
  /// @param name "train" or "test".
  /// @return train or test.
  /// @throws c10::Error naming the valid splits for any other name.
  const ConceptImages& split(const std::string& name) const;
};

/// Builds a concept pool of classes^slots concepts from training and test digits.
///
/// Concept c (0-based) is the tuple of base-`classes` digits of c, most significant first (c = 123 is
/// (1, 2, 3) for ten classes). For every concept and image, each slot takes an instance of its class drawn
/// uniformly (with replacement across images) from `train_digits` or `test_digits`, using a generator seeded
/// with spec.seed (test images from a second stream seeded spec.seed + 1).
/// @param train_digits digits of the training images: pixels [N, 784] uint8, labels [N]; every class occurs.
/// @param test_digits  digits of the test images, likewise, with the same number of classes.
/// @param spec         slots (in [1, 6]), images per concept (>= 1 each) and seed.
/// @return the pool.
/// @throws c10::Error if a digit set has the wrong shape or dtype, a label outside [0, classes) or a class
///         with no instance, the class counts differ, or spec is out of range.
///
/// @code
/// mixdist::data::ConceptPool pool = mixdist::data::make_concept_pool(train_digits, test_digits, {});
/// @endcode
ConceptPool make_concept_pool(const DigitSet& train_digits, const DigitSet& test_digits,
                              const ConceptPoolSpec& spec);

/// The pool of MNIST digits: training images from the 60,000 MNIST training digits, test images from the
/// 10,000 test digits.
///
/// @param spec     slots, images per concept and seed, as for make_concept_pool().
/// @param data_dir the data folder (MNIST in its mnist/ subfolder); "" means default_data_dir().
/// @return the pool.
/// @throws c10::Error as load_mnist() (a missing file names the paths searched and `make data`) and
///         make_concept_pool().
///
/// @code
/// mixdist::data::ConceptPool pool = mixdist::data::load_mnist_concept_pool({});
/// @endcode
ConceptPool load_mnist_concept_pool(const ConceptPoolSpec& spec, const std::string& data_dir = "");

/// A small pool for tests, from synthetic digits instead of MNIST.
///
/// The digits come from data::make_synthetic_images (ten noisy bar prototypes; the class of an image is its
/// prototype, so concepts are easy to tell apart): one generated set of 2 `digits` images from `data_seed`,
/// split into `digits` training and `digits` test instances.
/// @param spec      slots, images per concept and seed, as for make_concept_pool().
/// @param digits    digit instances per split, >= 1 (enough that every class occurs in both halves).
/// @param data_seed seed of the generated digits.
/// @return the pool.
/// @throws c10::Error if digits < 1, or as make_concept_pool().
///
/// @code
/// mixdist::data::ConceptPool pool = mixdist::data::make_synthetic_concept_pool({});
/// @endcode
ConceptPool make_synthetic_concept_pool(const ConceptPoolSpec& spec, int64_t digits = 400,
                                        int64_t data_seed = 7);

/// A batch of referential games: each row holds game_size candidates of distinct concepts, in the order the
/// receiver sees them, each shown through one image; the target is the candidate at `labels`.
struct Games {
  at::Tensor concepts;  ///< [N, G] int64
  at::Tensor images;    ///< [N, G] int64, image index within its concept
  at::Tensor labels;    ///< [N] int64 in [0, G)

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }  ///< Number of games N (0 if empty).
  int64_t game_size() const { return concepts.size(1); }                  ///< Candidates per game G.
  at::Tensor target_concepts() const;  ///< The targets' concepts, [N] int64.
  at::Tensor target_images() const;    ///< The targets' image indices, [N] int64.
  /// The games in rows [begin, end) (views; the bounds are clamped as by at::Tensor::slice).
  /// @param begin first row.
  /// @param end   one past the last row.
  /// @return the slice.
  Games slice(int64_t begin, int64_t end) const;
};

/// Draws n random games over `concepts` concepts with `images_per_concept` images each.
///
/// Per game: game_size distinct concepts uniformly at random in random order, one image uniformly for each,
/// and the target position uniform in [0, game_size). The numbers come from `generator` (the caller's stream
/// advances), so drawing from the global generator continues the stream a checkpoint saves.
/// @param n                  number of games, >= 0.
/// @param concepts           number of concepts to draw from.
/// @param images_per_concept images of each concept, >= 1.
/// @param game_size          candidates per game, in [1, concepts].
/// @param generator          a CPU generator.
/// @return the games: concepts and images [n, game_size], labels [n].
/// @throws c10::Error if an argument is out of range or the generator is undefined or not a CPU generator.
///
/// @code
/// at::Generator gen = at::detail::createCPUGenerator(42);
/// mixdist::data::Games games = mixdist::data::draw_games(64, 1000, 100, 4, gen);  // 64 games of 4
/// @endcode
Games draw_games(int64_t n, int64_t concepts, int64_t images_per_concept, int64_t game_size,
                 at::Generator generator);

/// Fixed games of one split: draw_games() from a fresh generator seeded with `seed`.
///
/// @param n         number of games, >= 0.
/// @param images    the split whose concepts and images the games use.
/// @param game_size candidates per game, in [1, images.concepts()].
/// @param seed      seed of the games' own generator.
/// @return the games.
/// @throws c10::Error as draw_games().
Games fixed_games(int64_t n, const ConceptImages& images, int64_t game_size, int64_t seed);

}  // namespace mixdist::data
