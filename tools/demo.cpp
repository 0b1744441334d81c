// `mixdist demo`: the sparse maps on real data. Trains three linear MNIST classifiers that differ only in
// their output map and loss (softmax + cross-entropy, sparsemax + sparsemax loss, 1.5-entmax + entmax15 loss)
// and reports accuracy next to how sparse the predicted distributions are.
#include <ATen/ATen.h>
#include <fmt/core.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "commands.h"
#include "mixdist/data/mnist.h"
#include "mixdist/simplex/entmax15.h"
#include "mixdist/simplex/losses.h"
#include "mixdist/simplex/sparsemax.h"

namespace mixdist::tools {
namespace {

struct DemoOptions {
  int epochs = 1;
  int batch_size = 100;
  double lr = 1e-3;
  uint64_t seed = 0;
  std::string data_dir;
};

struct OutputHead {
  std::string name;
  std::function<at::Tensor(const at::Tensor&)> map;
  std::function<at::Tensor(const at::Tensor&, const at::Tensor&)> loss;
};

struct HeadResult {
  double accuracy, mean_support, one_hot_fraction, seconds;
};

at::Tensor flatten_images(const data::ImageDataset& d) {
  return d.images.view({d.size(), -1}).to(at::kFloat) / 255.0;
}

HeadResult train_and_evaluate(const OutputHead& head, const at::Tensor& x_train, const at::Tensor& y_train,
                              const at::Tensor& x_test, const at::Tensor& y_test, const DemoOptions& o) {
  at::manual_seed(o.seed);
  torch::nn::Linear model(x_train.size(1), 10);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(o.lr));
  const auto start = std::chrono::steady_clock::now();
  const int64_t n = x_train.size(0);
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const at::Tensor order = at::randperm(n, at::kLong);
    double total = 0.0;
    int64_t steps = 0;
    for (int64_t begin = 0; begin < n; begin += o.batch_size) {
      const at::Tensor idx = order.slice(0, begin, std::min(n, begin + o.batch_size));
      opt.zero_grad();
      at::Tensor loss = head.loss(model(x_train.index_select(0, idx)), y_train.index_select(0, idx));
      loss.backward();
      opt.step();
      total += loss.item<double>();
      ++steps;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    fmt::print("  [{}] epoch {}/{}: mean training loss {:.4f} ({:.0f} steps/s)\n", head.name, epoch, o.epochs,
               total / static_cast<double>(steps), static_cast<double>(steps * epoch) / secs);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  at::NoGradGuard no_grad;
  const at::Tensor p = head.map(model(x_test));
  const at::Tensor support = (p > 0).sum(-1).to(at::kDouble);
  return {p.argmax(-1).eq(y_test).to(at::kDouble).mean().item<double>(), support.mean().item<double>(),
          support.eq(1).to(at::kDouble).mean().item<double>(), seconds};
}

void run_demo(const DemoOptions& o) {
  fmt::print("Loading MNIST...\n");
  const data::ImageDataset train = data::load_mnist(data::Split::kTrain, o.data_dir);
  const data::ImageDataset test = data::load_mnist(data::Split::kTest, o.data_dir);
  const at::Tensor x_train = flatten_images(train), x_test = flatten_images(test);
  fmt::print("MNIST: {} training and {} test images\n", train.size(), test.size());

  const std::vector<OutputHead> heads = {
      {"softmax", [](const at::Tensor& z) { return at::softmax(z, -1); },
       [](const at::Tensor& z, const at::Tensor& y) { return at::cross_entropy_loss(z, y); }},
      {"sparsemax", [](const at::Tensor& z) { return sparsemax(z); },
       [](const at::Tensor& z, const at::Tensor& y) { return sparsemax_loss(z, y); }},
      {"entmax15", [](const at::Tensor& z) { return entmax15(z); },
       [](const at::Tensor& z, const at::Tensor& y) { return entmax15_loss(z, y); }},
  };
  std::vector<HeadResult> results;
  for (const auto& head : heads) {
    results.push_back(train_and_evaluate(head, x_train, train.labels, x_test, test.labels, o));
  }
  fmt::print("\nLinear MNIST classifiers, {} epoch(s), Adam lr {}, batch {}, seed {} (test set):\n", o.epochs,
             o.lr, o.batch_size, o.seed);
  fmt::print("| output map | accuracy | mean support size | one-hot predictions | train time (s) |\n");
  fmt::print("|---|---|---|---|---|\n");
  for (size_t i = 0; i < heads.size(); ++i) {
    const auto& r = results[i];
    fmt::print("| {} | {:.4f} | {:.3f} | {:.1f}% | {:.1f} |\n", heads[i].name, r.accuracy, r.mean_support,
               100.0 * r.one_hot_fraction, r.seconds);
  }
}

}  // namespace

void register_demo(CLI::App& app, const GlobalOptions& options) {
  auto* cmd =
      app.add_subcommand("demo", "train softmax / sparsemax / 1.5-entmax linear classifiers on MNIST");
  auto o = std::make_shared<DemoOptions>();
  cmd->add_option("--epochs", o->epochs, "training epochs per classifier")->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", o->batch_size, "minibatch size")->check(CLI::PositiveNumber);
  cmd->add_option("--lr", o->lr, "Adam learning rate")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", o->seed, "random seed");
  cmd->add_option("--data-dir", o->data_dir, "data folder holding mnist/ (default: $MIXDIST_DATA or ./data)");
  cmd->callback([&options, o] {
    apply_global_options(options);
    run_demo(*o);
  });
}

}  // namespace mixdist::tools
