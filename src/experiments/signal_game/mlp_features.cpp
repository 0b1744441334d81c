#include "mixdist/experiments/signal_game/mlp_features.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <fmt/format.h>
#include <torch/optim/adam.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <vector>

#include "mixdist/io/atomic_file.h"

namespace mixdist::experiments::signal_game {
namespace {

// Bumped whenever the computation changes in a way the key below does not describe.
constexpr int kFormatVersion = 1;
constexpr int64_t kFeatureChunk = 8192;  // rows per matrix product of the feature pass

// One thread for the guard's lifetime, the caller's count back afterwards (also when an error unwinds).
class OneThreadScope {
 public:
  OneThreadScope() : threads_(at::get_num_threads()) { at::set_num_threads(1); }
  ~OneThreadScope() { at::set_num_threads(threads_); }
  OneThreadScope(const OneThreadScope&) = delete;
  OneThreadScope& operator=(const OneThreadScope&) = delete;

 private:
  int threads_;
};

// 64-bit FNV-1a, continued from `h`.
uint64_t fnv1a(const void* data, size_t bytes, uint64_t h = 14695981039346656037ull) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < bytes; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

uint64_t fnv1a(const std::string& s) {
  return fnv1a(s.data(), s.size());
}

// A digit set's identity: its pixel bytes, labels and class count.
std::string describe_digits(const data::DigitSet& d) {
  const at::Tensor pixels = d.pixels.contiguous();
  const at::Tensor labels = d.labels.to(at::kLong).contiguous();
  uint64_t h = fnv1a(pixels.data_ptr(), static_cast<size_t>(pixels.numel() * pixels.element_size()));
  h = fnv1a(labels.data_ptr(), static_cast<size_t>(labels.numel() * labels.element_size()), h);
  return fmt::format("{} digits of {} pixels, {} classes, FNV-1a {:016x}", pixels.size(0), pixels.size(1),
                     d.classes, h);
}

// Everything the features depend on, in words: two different keys never share a cache file.
std::string cache_key(const data::DigitSet& train, const data::DigitSet& test, const MlpSchedule& s) {
  return fmt::format(
      "mixdist signal_game mlp digit features, format {}\n"
      "classifier: 784 -> {} -> {} -> classes, ReLU, inputs pixels / 255; features: hidden layer 2 before "
      "its "
      "ReLU\n"
      "schedule: Adam lr {:.17g}, {} epochs, batch {}, seed {}, one thread\n"
      "LibTorch {}\n"
      "training digits: {}\n"
      "test digits: {}\n",
      kFormatVersion, s.hidden, s.hidden, s.lr, s.epochs, s.batch_size, s.seed, TORCH_VERSION,
      describe_digits(train), describe_digits(test));
}

void check_digits(const data::DigitSet& d, const char* what) {
  TORCH_CHECK(d.pixels.defined() && d.pixels.dim() == 2 && d.pixels.size(1) == data::kDigitPixels &&
                  d.pixels.scalar_type() == at::kByte && d.pixels.size(0) >= 1,
              "mlp features: the ", what, " digits must be [N >= 1, 784] uint8");
  TORCH_CHECK(d.labels.defined() && d.labels.dim() == 1 && d.labels.size(0) == d.pixels.size(0),
              "mlp features: the ", what, " labels must be [N] with N = ", d.pixels.size(0));
  TORCH_CHECK(d.classes >= 2, "mlp features: the ", what, " digits need >= 2 classes, got ", d.classes);
}

void check_schedule(const MlpSchedule& s) {
  TORCH_CHECK(s.hidden >= 1, "mlp features: hidden must be >= 1, got ", s.hidden);
  TORCH_CHECK(s.epochs >= 1, "mlp features: epochs must be >= 1, got ", s.epochs);
  TORCH_CHECK(s.batch_size >= 1, "mlp features: batch_size must be >= 1, got ", s.batch_size);
  TORCH_CHECK(s.lr > 0 && std::isfinite(s.lr), "mlp features: lr must be > 0, got ", s.lr);
  TORCH_CHECK(s.seed >= 0, "mlp features: seed must be >= 0, got ", s.seed);
}

at::Tensor inputs(const data::DigitSet& d) {
  return d.pixels.to(at::kFloat).div_(255.0);
}

struct Mlp {
  at::Tensor w1, b1, w2, b2, w3, b3;

  // PyTorch's default Linear initialisation, U(+-1/sqrt(fan_in)) for weights and biases, in a fixed order.
  Mlp(int64_t hidden, int64_t classes, at::Generator& gen) {
    const auto uniform = [&](std::vector<int64_t> shape, int64_t fan_in) {
      const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
      return at::empty(shape, at::kFloat).uniform_(-bound, bound, gen).requires_grad_(true);
    };
    w1 = uniform({hidden, data::kDigitPixels}, data::kDigitPixels);
    b1 = uniform({hidden}, data::kDigitPixels);
    w2 = uniform({hidden, hidden}, hidden);
    b2 = uniform({hidden}, hidden);
    w3 = uniform({classes, hidden}, hidden);
    b3 = uniform({classes}, hidden);
  }
  std::vector<at::Tensor> parameters() const { return {w1, b1, w2, b2, w3, b3}; }

  at::Tensor features(const at::Tensor& x) const {
    return at::addmm(b2, at::relu(at::addmm(b1, x, w1.t())), w2.t());
  }
  at::Tensor logits(const at::Tensor& x) const { return at::addmm(b3, at::relu(features(x)), w3.t()); }
};

// f(rows) over [N, 784] inputs in fixed chunks, concatenated.
template <typename F>
at::Tensor by_chunks(const at::Tensor& x, F&& f) {
  std::vector<at::Tensor> parts;
  for (int64_t begin = 0; begin < x.size(0); begin += kFeatureChunk)
    parts.push_back(f(x.slice(0, begin, std::min(x.size(0), begin + kFeatureChunk))));
  return at::cat(parts);
}

bool load_cached(const std::string& path, const std::string& key, const data::DigitSet& train,
                 const data::DigitSet& test, int64_t hidden, MlpDigitFeatures& out, std::string& why) {
  if (!std::filesystem::exists(path)) {
    why = "no cache file yet";
    return false;
  }
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue stored_key, accuracy;
    if (!archive.try_read("key", stored_key) || !stored_key.isString() || stored_key.toStringRef() != key) {
      why = "its key differs from the expected one";
      return false;
    }
    at::Tensor tr, te;
    if (!archive.try_read("train", tr) || !archive.try_read("test", te) ||
        !archive.try_read("test_accuracy", accuracy) || !accuracy.isDouble()) {
      why = "an entry is missing";
      return false;
    }
    const auto fits = [&](const at::Tensor& t, const data::DigitSet& d) {
      return t.defined() && t.scalar_type() == at::kFloat && t.dim() == 2 && t.size(0) == d.pixels.size(0) &&
             t.size(1) == hidden && at::isfinite(t).all().item<bool>();
    };
    if (!fits(tr, train) || !fits(te, test)) {
      why = "its tensors have the wrong shape or values";
      return false;
    }
    out.train = tr.contiguous();
    out.test = te.contiguous();
    out.test_accuracy = accuracy.toDouble();
    return true;
  } catch (const c10::Error& e) {
    why = std::string("it cannot be read (") + e.what_without_backtrace() + ")";
    return false;
  }
}

}  // namespace

MlpDigitFeatures compute_mlp_digit_features(const data::DigitSet& train_digits,
                                            const data::DigitSet& test_digits, const MlpSchedule& schedule) {
  check_digits(train_digits, "training");
  check_digits(test_digits, "test");
  check_schedule(schedule);
  TORCH_CHECK(train_digits.classes == test_digits.classes, "mlp features: the training digits have ",
              train_digits.classes, " classes, the test digits ", test_digits.classes);
  const OneThreadScope one_thread;
  const at::AutoGradMode grad_mode(true);
  at::Generator gen = at::detail::createCPUGenerator(static_cast<uint64_t>(schedule.seed));
  Mlp mlp(schedule.hidden, train_digits.classes, gen);

  const at::Tensor x = inputs(train_digits);
  const at::Tensor y = train_digits.labels.to(at::kLong);
  const int64_t n = x.size(0);
  torch::optim::Adam adam(mlp.parameters(), torch::optim::AdamOptions(schedule.lr));
  for (int64_t epoch = 0; epoch < schedule.epochs; ++epoch) {
    const at::Tensor order = at::randperm(n, gen, at::TensorOptions().dtype(at::kLong));
    for (int64_t begin = 0; begin < n; begin += schedule.batch_size) {
      const at::Tensor rows = order.slice(0, begin, std::min(n, begin + schedule.batch_size));
      const at::Tensor loss =
          at::cross_entropy_loss(mlp.logits(x.index_select(0, rows)), y.index_select(0, rows));
      adam.zero_grad();
      loss.backward();
      adam.step();
    }
  }

  const at::NoGradGuard no_grad;
  MlpDigitFeatures out;
  out.train = by_chunks(x, [&](const at::Tensor& rows) { return mlp.features(rows); }).contiguous();
  const at::Tensor xt = inputs(test_digits);
  out.test = by_chunks(xt, [&](const at::Tensor& rows) { return mlp.features(rows); }).contiguous();
  const at::Tensor predicted =
      by_chunks(xt, [&](const at::Tensor& rows) { return mlp.logits(rows).argmax(1); });
  out.test_accuracy =
      100.0 * predicted.eq(test_digits.labels.to(at::kLong)).to(at::kDouble).mean().item<double>();
  TORCH_CHECK(at::isfinite(out.train).all().item<bool>() && at::isfinite(out.test).all().item<bool>(),
              "mlp features: the digit classifier diverged (non-finite features)");
  return out;
}

std::string mlp_features_cache_path(const data::DigitSet& train_digits, const data::DigitSet& test_digits,
                                    const std::string& cache_dir, const MlpSchedule& schedule) {
  return fmt::format("{}/signal_game_mlp_features-{:016x}.pt", cache_dir,
                     fnv1a(cache_key(train_digits, test_digits, schedule)));
}

MlpDigitFeatures mlp_digit_features(const data::DigitSet& train_digits, const data::DigitSet& test_digits,
                                    const std::string& cache_dir, const MlpSchedule& schedule,
                                    std::ostream* log) {
  check_digits(train_digits, "training");
  check_digits(test_digits, "test");
  check_schedule(schedule);
  std::string path, key, why;
  if (!cache_dir.empty()) {
    key = cache_key(train_digits, test_digits, schedule);
    path = mlp_features_cache_path(train_digits, test_digits, cache_dir, schedule);
    MlpDigitFeatures cached;
    if (load_cached(path, key, train_digits, test_digits, schedule.hidden, cached, why)) return cached;
  }
  if (log)
    *log << fmt::format(
        "mlp features: training the digit classifier on {} digits ({} epochs, one thread){}\n",
        train_digits.pixels.size(0), schedule.epochs,
        path.empty() ? std::string() : fmt::format("; {}: {}", path, why));
  MlpDigitFeatures out = compute_mlp_digit_features(train_digits, test_digits, schedule);
  if (log)
    *log << fmt::format("mlp features: the classifier labels {:.2f}% of the test digits right\n",
                        out.test_accuracy);
  if (path.empty()) return out;
  try {
    std::filesystem::create_directories(cache_dir);
    // Serialised in memory, so that the archive's inner folder name is fixed (saving to a path names it after
    // the temporary file) and two builds of the same features give the same file, byte for byte.
    torch::serialize::OutputArchive archive;
    archive.write("key", c10::IValue(key));
    archive.write("train", out.train);
    archive.write("test", out.test);
    archive.write("test_accuracy", c10::IValue(out.test_accuracy));
    std::ostringstream bytes;
    archive.save_to(bytes);
    io::write_file_atomically(path, bytes.str());
    if (log) *log << "mlp features: cached in " << path << "\n";
  } catch (const c10::Error& e) {
    if (log)
      *log << "mlp features: could not cache them in " << path << ": " << e.what_without_backtrace() << "\n";
  } catch (const std::exception& e) {
    if (log) *log << "mlp features: could not cache them in " << path << ": " << e.what() << "\n";
  }
  return out;
}

void attach_mlp_features(data::ConceptPool& pool, const std::string& cache_dir, const MlpSchedule& schedule,
                         std::ostream* log) {
  const MlpDigitFeatures f =
      mlp_digit_features(pool.train.digits, pool.test.digits, cache_dir, schedule, log);
  pool.train.digits.features = f.train;
  pool.test.digits.features = f.test;
}

}  // namespace mixdist::experiments::signal_game
