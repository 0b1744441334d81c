#include "mixdist/data/concept_pool.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/util/Exception.h>

#include <mutex>
#include <vector>

#include "mixdist/data/mnist.h"
#include "mixdist/data/synthetic.h"

namespace mixdist::data {
namespace {

// A uniform integer in [0, n) from the generator's 64-bit stream. The modulo bias, at most n / 2^64, is far
// below anything a game could show, and one draw per number keeps the stream's use easy to reason about.
int64_t uniform_below(at::CPUGeneratorImpl* gen, int64_t n) {
  return static_cast<int64_t>(gen->random64() % static_cast<uint64_t>(n));
}

void check_digits(const DigitSet& d, const char* what) {
  TORCH_CHECK(d.pixels.defined() && d.pixels.dim() == 2 && d.pixels.size(1) == kDigitPixels &&
                  d.pixels.scalar_type() == at::kByte,
              "make_concept_pool: ", what, " pixels must be [N, 784] uint8");
  TORCH_CHECK(d.labels.defined() && d.labels.dim() == 1 && d.labels.size(0) == d.pixels.size(0),
              "make_concept_pool: ", what, " labels must be [N] with N = ", d.pixels.size(0));
  TORCH_CHECK(d.classes >= 1, "make_concept_pool: ", what, " classes must be >= 1, got ", d.classes);
}

// Instance indices of each class, in data order.
std::vector<std::vector<int64_t>> instances_by_class(const DigitSet& d, const char* what) {
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(d.classes));
  const at::Tensor labels = d.labels.to(at::kLong).contiguous();
  const int64_t* l = labels.data_ptr<int64_t>();
  for (int64_t i = 0; i < labels.size(0); ++i) {
    TORCH_CHECK(l[i] >= 0 && l[i] < d.classes, "make_concept_pool: ", what, " label ", l[i], " of digit ", i,
                " is outside [0, ", d.classes, ")");
    by_class[static_cast<size_t>(l[i])].push_back(i);
  }
  for (int64_t k = 0; k < d.classes; ++k)
    TORCH_CHECK(!by_class[static_cast<size_t>(k)].empty(), "make_concept_pool: ", what,
                " digits hold no instance of class ", k);
  return by_class;
}

ConceptImages draw_images(const DigitSet& digits, const at::Tensor& concept_digits, int64_t per_concept,
                          int64_t seed, const char* what) {
  const auto by_class = instances_by_class(digits, what);
  const int64_t C = concept_digits.size(0), S = concept_digits.size(1);
  at::Tensor instances = at::empty({C, per_concept, S}, at::kLong);
  int64_t* out = instances.data_ptr<int64_t>();
  const int64_t* cd = concept_digits.data_ptr<int64_t>();
  at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  auto* g = gen.get<at::CPUGeneratorImpl>();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t p = 0; p < per_concept; ++p)
      for (int64_t s = 0; s < S; ++s) {
        const auto& pool = by_class[static_cast<size_t>(cd[c * S + s])];
        *out++ = pool[static_cast<size_t>(uniform_below(g, static_cast<int64_t>(pool.size())))];
      }
  return {digits, instances, concept_digits};
}

DigitSet as_digit_set(const ImageDataset& d) {
  return {d.images.reshape({d.size(), kDigitPixels}).contiguous(), d.labels.to(at::kLong), 10, at::Tensor()};
}

}  // namespace

at::Tensor ConceptImages::pictures(const at::Tensor& concepts, const at::Tensor& images) const {
  TORCH_CHECK(concepts.sizes() == images.sizes(), "ConceptImages: concepts ", concepts.sizes(),
              " and images ", images.sizes(), " must have one shape");
  const int64_t P = images_per_concept(), S = slots();
  const at::Tensor flat = (concepts.reshape(-1) * P + images.reshape(-1)).to(at::kLong);
  const at::Tensor which = instances.view({-1, S}).index_select(0, flat).reshape(-1);  // [M S]
  const int64_t M = flat.size(0);
  at::Tensor pics = digits.pixels.index_select(0, which)
                        .to(at::kFloat)
                        .div_(255.0)
                        .view({M, S, kDigitSide, kDigitSide})
                        .permute({0, 2, 1, 3})
                        .reshape({M, kDigitSide, S * kDigitSide});
  std::vector<int64_t> shape(concepts.sizes().begin(), concepts.sizes().end());
  shape.push_back(kDigitSide);
  shape.push_back(S * kDigitSide);
  return pics.view(shape);
}

int64_t ConceptImages::feature_dim() const {
  return slots() * (digits.features.defined() ? digits.features.size(1) : kDigitPixels);
}

at::Tensor ConceptImages::features(const at::Tensor& concepts, const at::Tensor& images) const {
  std::vector<int64_t> shape(concepts.sizes().begin(), concepts.sizes().end());
  shape.push_back(feature_dim());
  at::Tensor x;
  if (digits.features.defined()) {
    TORCH_CHECK(concepts.sizes() == images.sizes(), "ConceptImages: concepts ", concepts.sizes(),
                " and images ", images.sizes(), " must have one shape");
    TORCH_CHECK(digits.features.dim() == 2 && digits.features.size(0) == digits.pixels.size(0) &&
                    digits.features.scalar_type() == at::kFloat,
                "ConceptImages: digits.features must be [N = ", digits.pixels.size(0), ", D] float, got ",
                digits.features.sizes(), " ", digits.features.scalar_type());
    const at::Tensor flat = (concepts.reshape(-1) * images_per_concept() + images.reshape(-1)).to(at::kLong);
    const at::Tensor which = instances.view({-1, slots()}).index_select(0, flat).reshape(-1);  // [M S]
    x = digits.features.index_select(0, which).view({flat.size(0), feature_dim()});
  } else {
    x = pictures(concepts, images).reshape({-1, feature_dim()});
  }
  // clamp_min keeps an all-black picture at 0 instead of 0 / 0.
  return (x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12)).view(shape);
}

const ConceptImages& ConceptPool::split(const std::string& name) const {
  if (name == "train") return train;
  if (name == "test") return test;
  TORCH_CHECK(false, "ConceptPool::split: unknown split '", name, "'; valid splits: train, test");
}

ConceptPool make_concept_pool(const DigitSet& train_digits, const DigitSet& test_digits,
                              const ConceptPoolSpec& spec) {
  check_digits(train_digits, "training");
  check_digits(test_digits, "test");
  TORCH_CHECK(train_digits.classes == test_digits.classes, "make_concept_pool: the training digits have ",
              train_digits.classes, " classes, the test digits ", test_digits.classes);
  TORCH_CHECK(spec.slots >= 1 && spec.slots <= 6, "make_concept_pool: slots must be in [1, 6], got ",
              spec.slots);
  TORCH_CHECK(spec.train_images_per_concept >= 1, "make_concept_pool: train_images_per_concept must be >= 1");
  TORCH_CHECK(spec.test_images_per_concept >= 1, "make_concept_pool: test_images_per_concept must be >= 1");
  const int64_t K = train_digits.classes;
  int64_t C = 1;
  for (int64_t s = 0; s < spec.slots; ++s) C *= K;
  ConceptPool pool;
  pool.concept_digits = at::empty({C, spec.slots}, at::kLong);
  int64_t* cd = pool.concept_digits.data_ptr<int64_t>();
  for (int64_t c = 0; c < C; ++c)
    for (int64_t s = spec.slots - 1, rest = c; s >= 0; --s, rest /= K) cd[c * spec.slots + s] = rest % K;
  pool.train =
      draw_images(train_digits, pool.concept_digits, spec.train_images_per_concept, spec.seed, "training");
  pool.test =
      draw_images(test_digits, pool.concept_digits, spec.test_images_per_concept, spec.seed + 1, "test");
  return pool;
}

ConceptPool load_mnist_concept_pool(const ConceptPoolSpec& spec, const std::string& data_dir) {
  const ImageDataset train = load_mnist(Split::kTrain, data_dir);
  const ImageDataset test = load_mnist(Split::kTest, data_dir);
  return make_concept_pool(as_digit_set(train), as_digit_set(test), spec);
}

ConceptPool make_synthetic_concept_pool(const ConceptPoolSpec& spec, int64_t digits, int64_t data_seed) {
  TORCH_CHECK(digits >= 1, "make_synthetic_concept_pool: digits must be >= 1, got ", digits);
  // One generated set split in halves, because another seed would also draw other prototypes.
  const at::Tensor images = make_synthetic_images(2 * digits, data_seed);
  // The class of an image is its prototype: prototype pixels are 0.9 and background 0, the noise stays
  // below 0.1, so thresholding at 0.5 gives back the prototype's exact mask.
  const at::Tensor masks = images.gt(0.5).to(at::kByte);
  at::Tensor unique_masks, labels, counts;
  std::tie(unique_masks, labels, counts) =
      at::unique_dim(masks, 0, /*sorted=*/true, /*return_inverse=*/true, /*return_counts=*/false);
  const at::Tensor bytes = images.mul(255.0).round_().to(at::kByte);
  const int64_t classes = unique_masks.size(0);
  const DigitSet train{bytes.slice(0, 0, digits).contiguous(), labels.slice(0, 0, digits).contiguous(),
                       classes, at::Tensor()};
  const DigitSet test{bytes.slice(0, digits).contiguous(), labels.slice(0, digits).contiguous(), classes,
                      at::Tensor()};
  return make_concept_pool(train, test, spec);
}

at::Tensor Games::target_concepts() const {
  return concepts.gather(1, labels.unsqueeze(1)).squeeze(1);
}

at::Tensor Games::target_images() const {
  return images.gather(1, labels.unsqueeze(1)).squeeze(1);
}

Games Games::slice(int64_t begin, int64_t end) const {
  return {concepts.slice(0, begin, end), images.slice(0, begin, end), labels.slice(0, begin, end)};
}

Games draw_games(int64_t n, int64_t concepts, int64_t images_per_concept, int64_t game_size,
                 at::Generator generator) {
  TORCH_CHECK(n >= 0, "draw_games: n must be >= 0, got ", n);
  TORCH_CHECK(game_size >= 1 && game_size <= concepts,
              "draw_games: game_size must be in [1, concepts = ", concepts, "], got ", game_size);
  TORCH_CHECK(images_per_concept >= 1, "draw_games: images_per_concept must be >= 1, got ",
              images_per_concept);
  TORCH_CHECK(generator.defined() && generator.device().is_cpu(), "draw_games: needs a CPU generator");
  Games g{at::empty({n, game_size}, at::kLong), at::empty({n, game_size}, at::kLong),
          at::empty({n}, at::kLong)};
  int64_t* c = g.concepts.data_ptr<int64_t>();
  int64_t* im = g.images.data_ptr<int64_t>();
  int64_t* y = g.labels.data_ptr<int64_t>();
  auto* gen = generator.get<at::CPUGeneratorImpl>();
  std::lock_guard<std::mutex> lock(generator.mutex());
  for (int64_t b = 0; b < n; ++b) {
    int64_t* row = c + b * game_size;
    // Rejection against the concepts already drawn: game_size is small next to the concept count, so a
    // repeat is rare and the linear scan is cheap. The draw order is uniformly random, as needed.
    for (int64_t k = 0; k < game_size;) {
      const int64_t candidate = uniform_below(gen, concepts);
      bool repeat = false;
      for (int64_t j = 0; j < k && !repeat; ++j) repeat = row[j] == candidate;
      if (!repeat) row[k++] = candidate;
    }
    for (int64_t k = 0; k < game_size; ++k) im[b * game_size + k] = uniform_below(gen, images_per_concept);
    y[b] = uniform_below(gen, game_size);
  }
  return g;
}

Games fixed_games(int64_t n, const ConceptImages& images, int64_t game_size, int64_t seed) {
  return draw_games(n, images.concepts(), images.images_per_concept(), game_size,
                    at::detail::createCPUGenerator(static_cast<uint64_t>(seed)));
}

}  // namespace mixdist::data
