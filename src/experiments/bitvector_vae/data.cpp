#include "mixdist/experiments/bitvector_vae/data.h"

#include "mixdist/data/mnist.h"
#include "mixdist/data/synthetic.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

at::Tensor flatten_bytes(const at::Tensor& images_u8) {
  return images_u8.reshape({images_u8.size(0), -1}).contiguous();
}

}  // namespace

BitVaeData load_bitvae_data(const BitVaeConfig& config) {
  config.validate();
  BitVaeData d;
  if (config.dataset == "synthetic") {
    // One draw sliced three ways, so that the splits share their prototypes as Fashion-MNIST's share classes.
    const int64_t total = config.train_size + config.valid_size + config.test_size;
    const at::Tensor all =
        data::make_synthetic_images(total, config.seed).mul(255.0).round_().to(at::kByte).contiguous();
    d.train = all.slice(0, 0, config.train_size);
    d.valid = all.slice(0, config.train_size, config.train_size + config.valid_size);
    d.test = all.slice(0, config.train_size + config.valid_size);
    return d;
  }
  const data::ImageDataset train = data::load_fashion_mnist(data::Split::kTrain, config.data_dir);
  const data::ImageDataset test = data::load_fashion_mnist(data::Split::kTest, config.data_dir);
  TORCH_CHECK(train.size() >= config.train_size + config.valid_size, "Fashion-MNIST train has ", train.size(),
              " images, fewer than train_size + valid_size = ", config.train_size + config.valid_size);
  TORCH_CHECK(test.size() >= config.test_size, "Fashion-MNIST test has ", test.size(),
              " images, fewer than test_size = ", config.test_size);
  // The validation images are the last ones of the training file, whatever train_size is.
  const int64_t valid_begin = train.size() - config.valid_size;
  d.train = flatten_bytes(train.images.slice(0, 0, config.train_size));
  d.valid = flatten_bytes(train.images.slice(0, valid_begin, train.size()));
  d.test = flatten_bytes(test.images.slice(0, 0, config.test_size));
  return d;
}

const at::Tensor& split_images(const BitVaeData& data, const std::string& split) {
  if (split == "train") return data.train;
  if (split == "valid") return data.valid;
  if (split == "test") return data.test;
  TORCH_CHECK(false, "unknown split '", split, "'; valid splits: train, valid, test");
}

}  // namespace mixdist::experiments::bitvector_vae
