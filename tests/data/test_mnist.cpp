// data/mnist: the MNIST / Fashion-MNIST locators and loaders, on fixture files and on the real data sets.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "mixdist/data/idx.h"
#include "mixdist/data/mnist.h"
#include "temp_dir.h"
#include "throws_with.h"

namespace {

namespace fs = std::filesystem;
using mixdist::data::IdxPair;
using mixdist::data::ImageDataset;
using mixdist::data::Split;
using mixdist::testing::TempDir;

using mixdist::testing::ThrowsWith;

// Writes an MNIST-style pair of IDX files with `n` images; `labels` default to i % 10.
void write_fixture(const std::string& dir, Split split, int64_t n, bool gzip,
                   std::optional<at::Tensor> labels = {}) {
  fs::create_directories(dir);
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  const std::string suffix = gzip ? ".gz" : "";
  const at::Tensor images =
      at::arange(n * 28 * 28, at::kLong).remainder(256).to(at::kByte).reshape({n, 28, 28});
  mixdist::data::write_idx(dir + "/" + prefix + "-images-idx3-ubyte" + suffix, images, gzip);
  mixdist::data::write_idx(dir + "/" + prefix + "-labels-idx1-ubyte" + suffix,
                           labels ? *labels : at::arange(n, at::kLong).remainder(10).to(at::kByte), gzip);
}

TEST(Mnist, LoadsFixtureFilesRawOrGzipped) {
  TempDir dir;
  write_fixture(dir.path() + "/mnist", Split::kTrain, 12, /*gzip=*/false);
  write_fixture(dir.path() + "/mnist", Split::kTest, 5, /*gzip=*/true);

  const ImageDataset train = mixdist::data::load_mnist(Split::kTrain, dir.path());
  EXPECT_EQ(train.size(), 12);
  EXPECT_EQ(train.images.sizes(), (std::vector<int64_t>{12, 28, 28}));
  EXPECT_EQ(train.images.scalar_type(), at::kByte);
  EXPECT_EQ(train.labels.scalar_type(), at::kLong);
  EXPECT_EQ(train.labels[11].item<int64_t>(), 1);

  const IdxPair test_files = mixdist::data::locate_mnist(Split::kTest, dir.path());
  EXPECT_EQ(test_files.images, dir.path() + "/mnist/t10k-images-idx3-ubyte.gz");
  EXPECT_EQ(mixdist::data::load_mnist(Split::kTest, dir.path()).size(), 5);

  // Fashion-MNIST files lie directly in their folder.
  write_fixture(dir.file("fashion"), Split::kTrain, 3, /*gzip=*/true);
  EXPECT_EQ(mixdist::data::load_fashion_mnist(Split::kTrain, dir.file("fashion")).size(), 3);
}

TEST(Mnist, PrefersRawFileOverGzip) {
  TempDir dir;
  write_fixture(dir.path() + "/mnist", Split::kTrain, 2, /*gzip=*/true);
  write_fixture(dir.path() + "/mnist", Split::kTrain, 2, /*gzip=*/false);
  EXPECT_EQ(mixdist::data::locate_mnist(Split::kTrain, dir.path()).labels,
            dir.path() + "/mnist/train-labels-idx1-ubyte");
}

TEST(Mnist, MissingFilesNameThePathsAndTheFetchCommand) {
  TempDir dir;
  const std::string searched = dir.path() + "/mnist/t10k-images-idx3-ubyte";
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTest, dir.path()); },
                         {searched, searched + ".gz", "t10k-labels-idx1-ubyte", "make data",
                          "scripts/fetch-data.sh", "MIXDIST_DATA=" + dir.path()}));

  // With the default folder the hint is the plain command; point the default at an empty folder to see it.
  const char* saved = std::getenv("MIXDIST_DATA");
  const std::optional<std::string> saved_value = saved ? std::optional<std::string>(saved) : std::nullopt;
  ::setenv("MIXDIST_DATA", dir.path().c_str(), 1);
  EXPECT_EQ(mixdist::data::default_data_dir(), dir.path());
  EXPECT_TRUE(ThrowsWith(
      [&] { mixdist::data::locate_mnist(Split::kTrain); },
      {dir.path() + "/mnist/train-images-idx3-ubyte", "Run `make data` (or `bash scripts/fetch-data.sh`)"}));
  if (saved_value) {
    ::setenv("MIXDIST_DATA", saved_value->c_str(), 1);
  } else {
    ::unsetenv("MIXDIST_DATA");
  }
}

TEST(Mnist, AFolderWhereADataFileBelongsIsNamedAsSuch) {
  TempDir dir;
  const std::string folder = dir.path() + "/mnist/train-images-idx3-ubyte";
  std::filesystem::create_directories(folder);
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::locate_mnist(Split::kTrain, dir.path()); },
                         {folder + " is a folder", "expected the IDX file train-images-idx3-ubyte"}));
}

TEST(FashionMnist, MissingFilesNameThePathsAndTheInstallCommand) {
  TempDir dir;
  EXPECT_TRUE(ThrowsWith(
      [&] { mixdist::data::locate_fashion_mnist(Split::kTrain, dir.path()); },
      {dir.path() + "/train-images-idx3-ubyte", "apt-get install dataset-fashion-mnist", "make deps"}));
}

TEST(Mnist, DefaultFoldersHonourTheEnvironment) {
  const char* saved = std::getenv("MIXDIST_FASHION_MNIST");
  const std::optional<std::string> saved_value = saved ? std::optional<std::string>(saved) : std::nullopt;
  ::unsetenv("MIXDIST_FASHION_MNIST");
  EXPECT_EQ(mixdist::data::default_fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
  ::setenv("MIXDIST_FASHION_MNIST", "/somewhere/else", 1);
  EXPECT_EQ(mixdist::data::default_fashion_mnist_dir(), "/somewhere/else");
  ::setenv("MIXDIST_FASHION_MNIST", "", 1);  // empty counts as unset
  EXPECT_EQ(mixdist::data::default_fashion_mnist_dir(), "/usr/share/datasets/fashion-mnist");
  if (saved_value) {
    ::setenv("MIXDIST_FASHION_MNIST", saved_value->c_str(), 1);
  } else {
    ::unsetenv("MIXDIST_FASHION_MNIST");
  }
  if (std::getenv("MIXDIST_DATA") == nullptr) {
    EXPECT_EQ(mixdist::data::default_data_dir(), std::string(MIXDIST_SOURCE_DIR) + "/data");
  }
}

TEST(Mnist, RejectsLabelsOutOfRange) {
  TempDir dir;
  write_fixture(dir.path() + "/mnist", Split::kTrain, 4, false, at::tensor({1, 2, 37, 3}, at::kByte));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTrain, dir.path()); },
                         {"train-labels-idx1-ubyte", "label 37 at index 2", "0..9"}));
}

TEST(Mnist, RejectsMismatchedCountsAndShapes) {
  TempDir dir;
  const std::string mnist = dir.path() + "/mnist";
  write_fixture(mnist, Split::kTrain, 4, false, at::zeros({5}, at::kByte));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTrain, dir.path()); },
                         {"holds 4 images", "5 labels"}));

  write_fixture(mnist, Split::kTrain, 4, false);
  mixdist::data::write_idx(mnist + "/train-images-idx3-ubyte", at::zeros({4, 28, 27}, at::kByte));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTrain, dir.path()); },
                         {"train-images-idx3-ubyte", "[4, 28, 27]"}));

  mixdist::data::write_idx(mnist + "/train-images-idx3-ubyte", at::zeros({4, 28, 28}, at::kFloat));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTrain, dir.path()); }, {"uint8", "Float"}));

  write_fixture(mnist, Split::kTrain, 4, false, at::zeros({4, 1}, at::kByte));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::load_mnist(Split::kTrain, dir.path()); },
                         {"train-labels-idx1-ubyte", "1-D uint8"}));
}

TEST(Mnist, DescribeDatasetsNamesBothDataSets) {
  const std::string text = mixdist::data::describe_datasets();
  EXPECT_NE(text.find("MNIST"), std::string::npos) << text;
  EXPECT_NE(text.find("Fashion-MNIST"), std::string::npos) << text;
  EXPECT_NE(text.find("train:"), std::string::npos) << text;
  EXPECT_NE(text.find("test:"), std::string::npos) << text;
}

void expect_histogram(const at::Tensor& labels, const std::vector<int64_t>& expected) {
  const at::Tensor counts = at::bincount(labels, {}, 10);
  EXPECT_EQ(std::vector<int64_t>(counts.data_ptr<int64_t>(), counts.data_ptr<int64_t>() + 10), expected);
  EXPECT_EQ(counts.sum().item<int64_t>(), labels.numel());
}

TEST(Mnist, LoadsRealTrainAndTestSplits) {
  for (Split split : {Split::kTrain, Split::kTest}) {
    try {
      mixdist::data::locate_mnist(split);
    } catch (const c10::Error& error) {
      GTEST_SKIP() << "MNIST is not fetched (run `make data` or `bash scripts/fetch-data.sh`): "
                   << error.what_without_backtrace();
    }
  }
  const ImageDataset train = mixdist::data::load_mnist(Split::kTrain);
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{60000, 28, 28}));
  ASSERT_EQ(train.labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(train.labels[0].item<int64_t>(), 5);  // MNIST's first training digit is a 5
  expect_histogram(train.labels, {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949});
  // Pixel sums of the first and last image pin the header length: an offset off by any byte would change
  // them. (Summing all 47 M pixels takes seconds on a small machine; two images suffice.)
  EXPECT_EQ(train.images[0].sum(at::kLong).item<int64_t>(), 27525);
  EXPECT_EQ(train.images[-1].sum(at::kLong).item<int64_t>(), 20920);

  const ImageDataset test = mixdist::data::load_mnist(Split::kTest);
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 28, 28}));
  ASSERT_EQ(test.labels.sizes(), (std::vector<int64_t>{10000}));
  EXPECT_EQ(test.labels[0].item<int64_t>(), 7);
  expect_histogram(test.labels, {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009});
  EXPECT_EQ(test.images[0].sum(at::kLong).item<int64_t>(), 18454);
  EXPECT_EQ(test.images[-1].sum(at::kLong).item<int64_t>(), 41833);
}

TEST(FashionMnist, LoadsRealTrainAndTestSplits) {
  for (Split split : {Split::kTrain, Split::kTest}) {
    try {
      mixdist::data::locate_fashion_mnist(split);
    } catch (const c10::Error& error) {
      GTEST_SKIP() << "Fashion-MNIST is not installed (run `apt-get install dataset-fashion-mnist` or "
                      "`make deps`): "
                   << error.what_without_backtrace();
    }
  }
  const ImageDataset train = mixdist::data::load_fashion_mnist(Split::kTrain);
  ASSERT_EQ(train.images.sizes(), (std::vector<int64_t>{60000, 28, 28}));
  EXPECT_EQ(train.labels[0].item<int64_t>(), 9);  // an ankle boot
  expect_histogram(train.labels, std::vector<int64_t>(10, 6000));

  const ImageDataset test = mixdist::data::load_fashion_mnist(Split::kTest);
  ASSERT_EQ(test.images.sizes(), (std::vector<int64_t>{10000, 28, 28}));
  EXPECT_EQ(test.labels[0].item<int64_t>(), 9);
  expect_histogram(test.labels, std::vector<int64_t>(10, 1000));
}

}  // namespace
