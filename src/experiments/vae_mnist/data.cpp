#include "mixdist/experiments/vae_mnist/data.h"

#include "mixdist/data/mnist.h"
#include "mixdist/data/synthetic.h"

namespace mixdist::experiments::vae_mnist {
namespace {

at::Tensor flatten_grey(const at::Tensor& images_u8) {
  return images_u8.reshape({images_u8.size(0), -1}).to(at::kFloat).div_(255.0);
}

}  // namespace

VaeData load_vae_data(const VaeConfig& config) {
  config.validate();
  VaeData d;
  if (config.dataset == "synthetic") {
    // One draw sliced three ways, so that the splits share their prototypes as MNIST's share digit classes.
    const at::Tensor all =
        data::make_synthetic_images(config.train_size + config.valid_size + config.test_size, config.seed);
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
  // docs/experiments.md#mnist-vae-data: validation = MNIST-train indices 55,000..59,999 in the paper setting,
  // i.e. the images after the training ones.
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

}  // namespace mixdist::experiments::vae_mnist
