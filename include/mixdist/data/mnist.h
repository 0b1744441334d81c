// MNIST and Fashion-MNIST: where the files live and how to load them.
//
// MNIST is fetched by `make data` (scripts/fetch-data.sh) into <data dir>/mnist/ as raw IDX files;
// Fashion-MNIST comes from the Debian package dataset-fashion-mnist as gzipped IDX files in
// /usr/share/datasets/fashion-mnist. Either location can be overridden: $MIXDIST_DATA and
// $MIXDIST_FASHION_MNIST, or the `dir` arguments below.
#pragma once

#include <ATen/ATen.h>

#include <string>

namespace mixdist::data {

enum class Split { kTrain, kTest };

// "train" or "test".
const char* split_name(Split split);

struct ImageDataset {
  at::Tensor images;  // [N, 28, 28] uint8, 0 = background
  at::Tensor labels;  // [N] int64 in 0..9

  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

// $MIXDIST_DATA if set and non-empty, else <mixdist source tree>/data. MNIST lives in its mnist/ subfolder.
std::string default_data_dir();

// $MIXDIST_FASHION_MNIST if set and non-empty, else /usr/share/datasets/fashion-mnist (the files lie directly
// in it).
std::string default_fashion_mnist_dir();

struct IdxPair {
  std::string images, labels;
};

// Paths of the MNIST files of `split` in <data_dir>/mnist/ (data_dir "" means default_data_dir()). Accepts
// the raw names (train-images-idx3-ubyte, ...) and their .gz variants, preferring the raw file when both
// exist. Throws c10::Error naming every path searched and the command that fetches MNIST if a file is
// missing.
IdxPair locate_mnist(Split split, const std::string& data_dir = "");

// Paths of the Fashion-MNIST files of `split` directly in `dir` ("" means default_fashion_mnist_dir()), raw
// or .gz. Throws c10::Error naming every path searched and the command that installs Fashion-MNIST if a file
// is missing.
IdxPair locate_fashion_mnist(Split split, const std::string& dir = "");

// Loads and validates a split: images must be [N, 28, 28] uint8, labels [N] uint8 in 0..9 (returned as
// int64). `data_dir` / `dir` mean the same as for locate_mnist / locate_fashion_mnist.
ImageDataset load_mnist(Split split, const std::string& data_dir = "");
ImageDataset load_fashion_mnist(Split split, const std::string& dir = "");

// Loads and validates an image/label file pair; `what` names the data set in error messages.
ImageDataset load_image_dataset(const IdxPair& files, const std::string& what);

// A multi-line, human-readable report of where each data set was found (reading only the IDX headers), or
// that it is missing and how to fetch it. Never throws for missing or broken data: it reports them. Lines are
// indented by two spaces, with no heading and no final newline: the caller (`mixdist info`) supplies both.
std::string describe_datasets();

}  // namespace mixdist::data
