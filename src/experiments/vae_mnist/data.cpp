#include "mixdist/experiments/vae_mnist/data.h"

#include "mixdist/data/mnist.h"

namespace mixdist::experiments::vae {
namespace {

constexpr int64_t kSide = 28;

at::Tensor flatten_grey(const at::Tensor& images_u8) {
  return images_u8.reshape({images_u8.size(0), -1}).to(at::kFloat).div_(255.0);
}

}  // namespace

at::Tensor make_synthetic_images(int64_t n, int64_t seed) {
  TORCH_CHECK(n >= 1, "make_synthetic_images: n must be >= 1, got ", n);
  at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(seed));
  // Each prototype: a union of 3 random axis-aligned bars, thick enough that a small decoder can learn them.
  at::Tensor prototypes = at::zeros({10, kSide, kSide}, at::kFloat);
  const at::Tensor corners = at::randint(4, kSide - 8, {10, 3, 2}, gen, at::kLong);
  const at::Tensor lengths = at::randint(6, 16, {10, 3}, gen, at::kLong);
  const at::Tensor vertical = at::randint(0, 2, {10, 3}, gen, at::kLong);
  for (int64_t p = 0; p < 10; ++p) {
    for (int64_t b = 0; b < 3; ++b) {
      const int64_t r = corners[p][b][0].item<int64_t>(), c = corners[p][b][1].item<int64_t>();
      const int64_t len = lengths[p][b].item<int64_t>();
      const bool vert = vertical[p][b].item<int64_t>() == 1;
      const int64_t r1 = std::min(kSide, r + (vert ? len : 3)), c1 = std::min(kSide, c + (vert ? 3 : len));
      prototypes[p].slice(0, r, r1).slice(1, c, c1).fill_(0.9);
    }
  }
  const at::Tensor which = at::randint(0, 10, {n}, gen, at::kLong);
  const at::Tensor noise = at::rand({n, kSide * kSide}, gen, at::kFloat) * 0.1;
  return (prototypes.reshape({10, -1}).index_select(0, which) + noise).clamp_(0.0, 1.0);
}

VaeData load_vae_data(const VaeConfig& config) {
  config.validate();
  VaeData d;
  if (config.dataset == "synthetic") {
    // One draw sliced three ways, so that the splits share their prototypes as MNIST's share digit classes.
    const at::Tensor all =
        make_synthetic_images(config.train_size + config.valid_size + config.test_size, config.seed);
    d.train = all.slice(0, 0, config.train_size);
    d.valid = all.slice(0, config.train_size, config.train_size + config.valid_size);
    d.test = all.slice(0, config.train_size + config.valid_size);
    return d;
  }
  const data::ImageDataset train = data::load_mnist(data::Split::kTrain, config.data_dir);
  const data::ImageDataset test = data::load_mnist(data::Split::kTest, config.data_dir);
  TORCH_CHECK(train.size() >= config.train_size + config.valid_size, "MNIST train has ", train.size(),
              " images, fewer than train_size + valid_size = ", config.train_size + config.valid_size);
  TORCH_CHECK(test.size() >= config.test_size, "MNIST test has ", test.size(),
              " images, fewer than test_size = ", config.test_size);
  // §4.1: validation = MNIST-train indices 55,000..59,999 in the paper setting, i.e. the images after the
  // training ones.
  const int64_t valid_begin = train.size() - config.valid_size;
  TORCH_CHECK(valid_begin >= config.train_size, "internal: overlapping train/valid splits");
  d.train = flatten_grey(train.images.slice(0, 0, config.train_size));
  d.valid = flatten_grey(train.images.slice(0, valid_begin, train.size()));
  d.test = flatten_grey(test.images.slice(0, 0, config.test_size));
  return d;
}

at::Tensor binarize(const at::Tensor& grey, c10::optional<at::Generator> generator) {
  return grey.gt(at::rand(grey.sizes(), generator, grey.options())).to(grey.scalar_type());
}

const at::Tensor& split_images(const VaeData& data, const std::string& split) {
  if (split == "train") return data.train;
  if (split == "valid") return data.valid;
  if (split == "test") return data.test;
  TORCH_CHECK(false, "unknown split '", split, "'; valid splits: train, valid, test");
}

}  // namespace mixdist::experiments::vae
