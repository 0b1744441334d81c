// experiments/bitvector_vae/data: synthetic images, the Fashion-MNIST splits and the message when it is
// missing.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "mixdist/data/synthetic.h"
#include "mixdist/distributions/bernoulli.h"
#include "mixdist/distributions/clipped_gaussian.h"
#include "mixdist/experiments/bitvector_vae/config.h"
#include "mixdist/experiments/bitvector_vae/data.h"
#include "mixdist/experiments/bitvector_vae/evaluation.h"
#include "mixdist/experiments/bitvector_vae/model.h"
#include "mixdist/experiments/bitvector_vae/report.h"
#include "mixdist/train/fused_adam.h"
#include "temp_dir.h"
#include "test_util.h"
#include "tiny_bitvae.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

using mixdist::testing::error_message;
using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;

TEST(BitVectorVaeData, MissingFashionMnistNamesTheFolderAndHowToInstallIt) {
  TempDir tmp;
  BitVaeConfig c;
  c.data_dir = tmp.path();
  const std::string message = error_message([&] { load_bitvae_data(c); });
  EXPECT_NE(message.find("Fashion-MNIST train data not found"), std::string::npos) << message;
  EXPECT_NE(message.find(tmp.file("train-images-idx3-ubyte")), std::string::npos) << message;
  EXPECT_NE(message.find("apt-get install dataset-fashion-mnist"), std::string::npos) << message;
}

TEST(BitVectorVaeData, SyntheticImagesAreDeterministicBytes) {
  const BitVaeConfig c = tiny_config(BitLatent::kGumbelSoftmax);
  const BitVaeData a = load_bitvae_data(c), b = load_bitvae_data(c);
  for (const char* split : {"train", "valid", "test"}) {
    const at::Tensor& t = split_images(a, split);
    EXPECT_EQ(t.scalar_type(), at::kByte) << split;
    EXPECT_EQ(t.size(1), 784) << split;
    EXPECT_TRUE(t.equal(split_images(b, split))) << split;
  }
  EXPECT_EQ(a.train.size(0), 64);
  EXPECT_EQ(a.valid.size(0), 32);
  EXPECT_EQ(a.test.size(0), 32);
  const at::Tensor grey = data::make_synthetic_images(128, c.seed);
  EXPECT_TRUE(at::cat({a.train, a.valid, a.test}).equal(grey.mul(255).round().to(at::kByte)));
  expect_error_containing([&] { split_images(a, "validation"); },
                          "unknown split 'validation'; valid splits: train, valid, test");
}

// Only where Debian's dataset-fashion-mnist is installed: the validation images are the last ones of the
// training file, whatever train_size is.
TEST(BitVectorVaeData, FashionMnistSplitsAreTheDocumentedRanges) {
  BitVaeConfig c;
  c.train_size = 100;
  c.test_size = 10;
  BitVaeData d;
  try {
    d = load_bitvae_data(c);
  } catch (const c10::Error& e) {
    GTEST_SKIP() << "Fashion-MNIST not installed: " << e.what_without_backtrace();
  }
  EXPECT_EQ(d.train.sizes(), (std::vector<int64_t>{100, 784}));
  EXPECT_EQ(d.valid.sizes(), (std::vector<int64_t>{5000, 784}));
  EXPECT_EQ(d.test.sizes(), (std::vector<int64_t>{10, 784}));
  c.train_size = 55000;
  c.test_size = 10000;
  const BitVaeData full = load_bitvae_data(c);
  EXPECT_TRUE(full.train.slice(0, 0, 100).equal(d.train));
  EXPECT_TRUE(full.valid.equal(d.valid));
  EXPECT_TRUE(full.test.slice(0, 0, 10).equal(d.test));
  EXPECT_EQ(full.train.scalar_type(), at::kByte);
  EXPECT_GT(full.train.max().item<int64_t>(), 250);
}

}  // namespace
}  // namespace mixdist::experiments::bitvector_vae
