#include "mixdist/data/mnist.h"

#include "mixdist/data/idx.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <sstream>
#include <utility>
#include <vector>

#ifndef MIXDIST_SOURCE_DIR
#define MIXDIST_SOURCE_DIR "."
#endif

namespace mixdist::data {
namespace {

constexpr int64_t kImageSide = 28;
constexpr int64_t kNumClasses = 10;
constexpr const char* kSystemFashionMnistDir = "/usr/share/datasets/fashion-mnist";

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// Both data sets use LeCun's original file names; MNIST's test split is "t10k".
IdxPair file_names(Split split) {
  if (split == Split::kTrain) return {"train-images-idx3-ubyte", "train-labels-idx1-ubyte"};
  return {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
}

// `dir`/`name` if it exists, else `dir`/`name`.gz if that exists, else "". Something else than a file by
// that name (a folder, say) is an error of its own: "not found" would send the user looking elsewhere.
std::string find_raw_or_gz(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code error;
  for (const fs::path& candidate : {fs::path(dir) / name, fs::path(dir) / (name + ".gz")}) {
    const fs::file_status status = fs::status(candidate, error);
    if (fs::is_regular_file(status)) return candidate.string();
    TORCH_CHECK(!fs::exists(status), candidate.string(), " is ",
                fs::is_directory(status) ? "a folder" : "not a regular file", "; expected the IDX file ",
                name, " (or ", name, ".gz) there");
  }
  return "";
}

IdxPair locate_in(const std::string& dir, Split split, const std::string& what,
                  const std::string& how_to_fetch) {
  const IdxPair names = file_names(split);
  const IdxPair found{find_raw_or_gz(dir, names.images), find_raw_or_gz(dir, names.labels)};
  std::string missing;
  for (const auto& [name, path_found] :
       {std::pair(names.images, found.images), std::pair(names.labels, found.labels)}) {
    if (!path_found.empty()) continue;
    const std::string path = (std::filesystem::path(dir) / name).string();
    missing += (missing.empty() ? "" : " and ") + path + " (or " + path + ".gz)";
  }
  TORCH_CHECK(missing.empty(), what, " ", split_name(split), " data not found: looked for ", missing, ". ",
              how_to_fetch);
  return found;
}

std::string mnist_fetch_hint(const std::string& data_dir) {
  if (data_dir == default_data_dir())
    return "Run `make data` (or `bash scripts/fetch-data.sh`) in the mixdist source tree to fetch MNIST.";
  // The fetch script takes its destination from $MIXDIST_DATA, so point it at the folder that was searched.
  return "Run `MIXDIST_DATA=" + data_dir + " make data` (or `MIXDIST_DATA=" + data_dir +
         " bash scripts/fetch-data.sh`) in the mixdist source tree to fetch MNIST there.";
}

std::string fashion_fetch_hint(const std::string& dir) {
  std::string hint =
      std::string("Run `apt-get install dataset-fashion-mnist` (or `make deps`) to install it in ") +
      kSystemFashionMnistDir;
  if (dir != kSystemFashionMnistDir)
    hint += std::string(", then copy its files into ") + dir + " or unset $MIXDIST_FASHION_MNIST";
  return hint + ".";
}

std::string resolve_data_dir(const std::string& data_dir) {
  return data_dir.empty() ? default_data_dir() : data_dir;
}

std::string resolve_fashion_dir(const std::string& dir) {
  return dir.empty() ? default_fashion_mnist_dir() : dir;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text;
  for (int64_t size : shape) text += (text.empty() ? "" : "x") + std::to_string(size);
  return text.empty() ? "scalar" : text;
}

// One line per split for describe_datasets(): what was found, or why not. Reads only the IDX headers, so it
// stays instant even for gzipped files.
std::string describe_split(Split split, const std::function<IdxPair(Split)>& locate) {
  std::ostringstream line;
  line << "    " << (split == Split::kTrain ? "train: " : "test:  ");
  IdxPair files;
  try {
    files = locate(split);
  } catch (const c10::Error& error) {
    line << "missing. " << error.what_without_backtrace();
    return line.str();
  }
  try {
    const IdxHeader images = read_idx_header(files.images);
    const IdxHeader labels = read_idx_header(files.labels);
    const int64_t count = images.shape.empty() ? 0 : images.shape[0];
    const std::vector<int64_t> image_shape(images.shape.begin() + (images.shape.empty() ? 0 : 1),
                                           images.shape.end());
    line << count << " images (" << shape_text(image_shape) << " "
         << (images.dtype == at::kByte ? "uint8" : at::toString(images.dtype)) << "), " << labels.numel()
         << " labels: " << files.images << ", " << files.labels;
  } catch (const c10::Error& error) {
    line << "unreadable. " << error.what_without_backtrace();
  }
  return line.str();
}

}  // namespace

const char* split_name(Split split) {
  return split == Split::kTrain ? "train" : "test";
}

std::string default_data_dir() {
  return env_or("MIXDIST_DATA", std::string(MIXDIST_SOURCE_DIR) + "/data");
}

std::string default_fashion_mnist_dir() {
  return env_or("MIXDIST_FASHION_MNIST", kSystemFashionMnistDir);
}

IdxPair locate_mnist(Split split, const std::string& data_dir) {
  const std::string root = resolve_data_dir(data_dir);
  return locate_in((std::filesystem::path(root) / "mnist").string(), split, "MNIST", mnist_fetch_hint(root));
}

IdxPair locate_fashion_mnist(Split split, const std::string& dir) {
  const std::string folder = resolve_fashion_dir(dir);
  return locate_in(folder, split, "Fashion-MNIST", fashion_fetch_hint(folder));
}

ImageDataset load_image_dataset(const IdxPair& files, const std::string& what) {
  // Labels first: they are small, so a mismatch there is reported before reading tens of megabytes of images.
  at::Tensor labels = read_idx(files.labels);
  TORCH_CHECK(labels.scalar_type() == at::kByte && labels.dim() == 1, what, " labels file ", files.labels,
              " must hold a 1-D uint8 tensor, but holds ", labels.scalar_type(), " of shape ",
              labels.sizes());
  if (labels.numel() > 0) {
    const int64_t largest = labels.max().item<int64_t>();
    if (largest >= kNumClasses) {
      const int64_t first_bad = (labels >= kNumClasses).nonzero()[0][0].item<int64_t>();
      TORCH_CHECK(false, what, " labels file ", files.labels, " holds label ",
                  labels[first_bad].item<int64_t>(), " at index ", first_bad, "; labels must be in 0..",
                  kNumClasses - 1);
    }
  }

  at::Tensor images = read_idx(files.images);
  TORCH_CHECK(images.scalar_type() == at::kByte && images.dim() == 3 && images.size(1) == kImageSide &&
                  images.size(2) == kImageSide,
              what, " images file ", files.images, " must hold uint8 images of shape [N, ", kImageSide, ", ",
              kImageSide, "], but holds ", images.scalar_type(), " of shape ", images.sizes());
  TORCH_CHECK(images.size(0) == labels.size(0), what, " images file ", files.images, " holds ",
              images.size(0), " images but labels file ", files.labels, " holds ", labels.size(0), " labels");
  return {images, labels.to(at::kLong)};
}

ImageDataset load_mnist(Split split, const std::string& data_dir) {
  return load_image_dataset(locate_mnist(split, data_dir), std::string("MNIST ") + split_name(split));
}

ImageDataset load_fashion_mnist(Split split, const std::string& dir) {
  return load_image_dataset(locate_fashion_mnist(split, dir),
                            std::string("Fashion-MNIST ") + split_name(split));
}

std::string describe_datasets() {
  const std::string data_dir = default_data_dir();
  const std::string fashion_dir = default_fashion_mnist_dir();
  std::ostringstream text;
  text << "  MNIST (in " << data_dir << "/mnist; $MIXDIST_DATA sets the data folder)\n";
  for (Split split : {Split::kTrain, Split::kTest})
    text << describe_split(split, [&](Split s) { return locate_mnist(s, data_dir); }) << "\n";
  text << "  Fashion-MNIST (in " << fashion_dir << "; $MIXDIST_FASHION_MNIST sets the folder)\n";
  text << describe_split(Split::kTrain, [&](Split s) { return locate_fashion_mnist(s, fashion_dir); })
       << "\n";
  text << describe_split(Split::kTest, [&](Split s) { return locate_fashion_mnist(s, fashion_dir); });
  return text.str();
}

}  // namespace mixdist::data
