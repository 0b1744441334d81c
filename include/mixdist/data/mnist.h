#pragma once

/// @file
/// @brief MNIST and Fashion-MNIST: where the files live and how to load them.
///
/// MNIST and Fashion-MNIST: where the files live and how to load them.
///
/// MNIST is fetched by `make data` (scripts/fetch-data.sh) into `<data dir>/mnist/` as raw IDX files;
/// Fashion-MNIST comes from the Debian package dataset-fashion-mnist as gzipped IDX files in
/// /usr/share/datasets/fashion-mnist. Either location can be overridden: $MIXDIST_DATA and
/// $MIXDIST_FASHION_MNIST, or the `dir` arguments below.

#include <ATen/ATen.h>

#include <string>

/// @brief The data layer: MNIST / Fashion-MNIST IDX files, the signal game's concept pool, synthetic images.
namespace mixdist::data {

/// A split of a data set.
enum class Split {
  kTrain,  ///< the training images (60,000 for MNIST and Fashion-MNIST)
  kTest    ///< the test images (10,000)
};

/// The split's name, for messages and file names.
/// @param split the split.
/// @return "train" or "test".
const char* split_name(Split split);

/// Images and their labels, as loaded from a data set's IDX files.
struct ImageDataset {
  at::Tensor images;  ///< [N, 28, 28] uint8, 0 = background
  at::Tensor labels;  ///< [N] int64 in 0..9

  /// The number of images (0 for an empty dataset).
  /// @return labels.size(0), or 0 if labels is undefined.
  int64_t size() const { return labels.defined() ? labels.size(0) : 0; }
};

/// The data folder: $MIXDIST_DATA if set and non-empty, else `<mixdist source tree>/data`.
///
/// MNIST lives in its mnist/ subfolder.
/// @return the folder's path (it need not exist).
std::string default_data_dir();

/// The Fashion-MNIST folder: $MIXDIST_FASHION_MNIST if set and non-empty, else
/// /usr/share/datasets/fashion-mnist (the files lie directly in it).
///
/// @return the folder's path (it need not exist).
std::string default_fashion_mnist_dir();

/// The paths of a split's image file and label file.
struct IdxPair {
  std::string images;  ///< the images' IDX file
  std::string labels;  ///< the labels' IDX file
};

/// Paths of the MNIST files of `split` in `<data_dir>/mnist/`.
///
/// Accepts the raw names (train-images-idx3-ubyte, ...) and their .gz variants, preferring the raw file when
/// both exist.
/// @param split    the split.
/// @param data_dir the data folder; "" means default_data_dir().
/// @return the two paths.
/// @throws c10::Error naming every path searched and the command that fetches MNIST if a file is missing.
///
/// @code
/// mixdist::data::IdxPair files = mixdist::data::locate_mnist(mixdist::data::Split::kTest);
/// @endcode
IdxPair locate_mnist(Split split, const std::string& data_dir = "");

/// Paths of the Fashion-MNIST files of `split` directly in `dir`, raw or .gz.
///
/// @param split the split.
/// @param dir   the folder; "" means default_fashion_mnist_dir().
/// @return the two paths.
/// @throws c10::Error naming every path searched and the command that installs Fashion-MNIST if a file is
///         missing.
IdxPair locate_fashion_mnist(Split split, const std::string& dir = "");

/// Loads and validates an MNIST split: images must be [N, 28, 28] uint8, labels [N] uint8 in 0..9.
///
/// @param split    the split.
/// @param data_dir the data folder, as for locate_mnist().
/// @return images [N, 28, 28] uint8 and labels [N] int64.
/// @throws c10::Error as locate_mnist() and load_image_dataset().
///
/// @code
/// mixdist::data::ImageDataset test = mixdist::data::load_mnist(mixdist::data::Split::kTest);
/// @endcode
ImageDataset load_mnist(Split split, const std::string& data_dir = "");
/// Loads and validates a Fashion-MNIST split, as load_mnist().
///
/// @param split the split.
/// @param dir   the folder, as for locate_fashion_mnist().
/// @return images [N, 28, 28] uint8 and labels [N] int64.
/// @throws c10::Error as locate_fashion_mnist() and load_image_dataset().
ImageDataset load_fashion_mnist(Split split, const std::string& dir = "");

/// Loads and validates an image/label file pair.
///
/// @param files the IDX files: images [N, 28, 28] uint8, labels [N] uint8 in 0..9.
/// @param what  names the data set in error messages (e.g. "MNIST").
/// @return images as read, labels as int64.
/// @throws c10::Error naming the file if either cannot be read (as read_idx()), has the wrong dtype or shape,
///         holds a label outside 0..9, or the two counts differ.
ImageDataset load_image_dataset(const IdxPair& files, const std::string& what);

/// A multi-line, human-readable report of where each data set was found, or that it is missing and how to
/// fetch it.
///
/// Reads only the IDX headers. Never throws for missing or broken data: it reports them. Lines are indented
/// by two spaces, with no heading and no final newline: the caller (`mixdist info`) supplies both.
/// @return the report.
std::string describe_datasets();

}  // namespace mixdist::data
