// The shared run layer (experiments/run/) on a toy experiment whose numbers are known in closed form: least
// squares on a fixed data set with plain SGD, so that each epoch's validation loss can be checked against an
// independent computation. Checks the schedule and resume, which checkpoint the summary reports (the best
// one, chosen by a maximised metric here), the metrics table's schema, and the comparison over seeds with the
// standard error, across two experiments at once.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <tuple>

#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/run_lock.h"
#include "mixdist/experiments/run/trainer.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/stop_signal.h"
#include "temp_dir.h"
#include "test_util.h"

namespace mixdist::experiments::run {
namespace {

using mixdist::testing::expect_error_containing;
using mixdist::testing::TempDir;

struct ToyConfig {
  std::string experiment = "toy";
  std::string method = "sgd";
  std::string preset = "quick";
  int64_t seed = 1;
  int64_t epochs = 4;
  double lr = 0.05;

  template <typename Visitor>
  static void visit_fields(ToyConfig& c, Visitor&& v) {
    v("experiment", c.experiment);
    v("method", c.method);
    v("preset", c.preset);
    v("seed", c.seed);
    v("epochs", c.epochs);
    v("lr", c.lr);
  }
};

// Called at the start of every validation ("valid", with the epoch) and final evaluation (its split, with the
// evaluated epoch): lets a test stop the run there, as a Ctrl-C would.
std::function<void(const std::string& split, int64_t epoch)> evaluation_hook;
// Makes the toy's pictures fail, as a process killed while drawing them would stop there.
bool figures_fail = false;

// y = 2 x + 1 on 8 points, 2 steps of 4 points per epoch; validation = the loss on all 8 and its negative
// ("score", maximised by the toy's selection).
class ToyExperiment final : public Experiment {
 public:
  explicit ToyExperiment(ToyConfig c) : config_(std::move(c)), model_(torch::nn::LinearOptions(1, 1)) {
    TORCH_CHECK(config_.epochs >= 1, "config: epochs must be >= 1, got ", config_.epochs);
    x_ = torch::linspace(-1, 1, 8).unsqueeze(1);
    y_ = 2 * x_ + 1;
    optimizer_ =
        std::make_unique<torch::optim::SGD>(model_->parameters(), torch::optim::SGDOptions(config_.lr));
  }
  std::string config_json() const override { return config_to_json(config_); }
  int64_t epochs() const override { return config_.epochs; }
  int64_t steps_per_epoch() const override { return 2; }
  std::vector<std::string> train_columns() const override { return {"train_loss"}; }
  std::vector<std::string> eval_columns() const override { return {"loss", "score"}; }
  torch::nn::Module& model() override { return *model_; }
  std::vector<NamedOptimizer> optimizers() override { return {{"sgd", optimizer_.get()}}; }
  void begin_epoch(const Progress&) override {
    order_ = torch::randperm(8);  // from the global generator, which the layer seeds and checkpoints
    sum_ = 0;
  }
  double train_step(int64_t s, const Progress&) override {
    const auto idx = order_.slice(0, 4 * s, 4 * s + 4);
    const auto loss = (model_->forward(x_.index_select(0, idx)) - y_.index_select(0, idx)).pow(2).mean();
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    sum_ += loss.item<double>();
    return sum_ / double(s + 1);
  }
  std::vector<double> end_epoch() override { return {sum_ / 2}; }
  bool validates_after(int64_t) const override { return true; }
  Evaluation validate(const Progress& at) override {
    if (evaluation_hook) evaluation_hook("valid", at.epoch);
    return full_loss();
  }
  Evaluation evaluate(const std::string& split, int64_t, const Progress& at) override {
    if (evaluation_hook) evaluation_hook(split, at.epoch);
    return full_loss();
  }
  std::string describe(const Evaluation& e) const override { return std::to_string(e.metrics[0].second); }
  std::string epoch_summary(const std::vector<double>&, const Evaluation*) const override { return ""; }
  std::vector<std::string> write_figures(const std::string& dir, const std::vector<std::string>&,
                                         const std::vector<std::vector<double>>&) override {
    if (figures_fail) throw std::runtime_error("killed while drawing the figures");
    io::write_file_atomically(dir + "/figure.txt", "a picture");
    return {dir + "/figure.txt"};
  }

  Evaluation full_loss() {
    torch::NoGradGuard no_grad;
    const double loss = (model_->forward(x_) - y_).pow(2).mean().item<double>();
    return {{{"loss", loss}, {"score", -loss}}, 8, 0};
  }

 private:
  ToyConfig config_;
  torch::nn::Linear model_;
  std::unique_ptr<torch::optim::SGD> optimizer_;
  torch::Tensor x_, y_, order_;
  double sum_ = 0;
};

ExperimentInfo toy_info() {
  ExperimentInfo i;
  i.name = "toy";
  i.command = "toy";
  i.title = "Toy regression";
  i.variant_key = "method";
  i.variants = {"sgd"};
  i.selection_metric = "score";
  i.selection_minimises = false;
  i.final_checkpoint = "best";
  i.comparison = {{"loss", "loss", 3}};
  i.spread = ExperimentInfo::Spread::kStandardError;
  i.unit = "squared error";
  i.create = [](const std::string& json) -> std::unique_ptr<Experiment> {
    return std::make_unique<ToyExperiment>(config_from_json<ToyConfig>(json, "toy"));
  };
  return i;
}

RunOptions quiet(const std::string& dir, std::ostream& log) {
  RunOptions o;
  o.run_dir = dir;
  o.interactive = false;
  o.log = &log;
  return o;
}

RunOptions resuming(const std::string& dir, std::ostream& log) {
  RunOptions o = quiet(dir, log);
  o.resume = true;
  return o;
}

train::MetricsTable toy_metrics(const std::string& path) {
  return train::MetricsTable::load(path,
                                   {"epoch", "step", "seconds", "train_loss", "valid_loss", "valid_score"});
}

nlohmann::json read_json(const std::string& path) {
  return nlohmann::json::parse(io::read_file(path));
}

TEST(RunLayer, ValidationLossesMatchAnIndependentReplayOfTheSameSteps) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  const ToyConfig config;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("run"), log)).finished);

  // The same seed, initialisation, permutations and SGD steps, written out by hand.
  torch::manual_seed(config.seed);
  torch::nn::Linear replay(torch::nn::LinearOptions(1, 1));
  torch::optim::SGD sgd(replay->parameters(), torch::optim::SGDOptions(config.lr));
  const auto x = torch::linspace(-1, 1, 8).unsqueeze(1), y = 2 * x + 1;
  const auto table = train::MetricsTable::load(
      tmp.file("run/metrics.csv"), {"epoch", "step", "seconds", "train_loss", "valid_loss", "valid_score"});
  ASSERT_EQ(table.num_rows(), 4u);
  for (size_t epoch = 0; epoch < 4; ++epoch) {
    const auto order = torch::randperm(8);
    for (int s = 0; s < 2; ++s) {
      const auto idx = order.slice(0, 4 * s, 4 * s + 4);
      const auto loss = (replay->forward(x.index_select(0, idx)) - y.index_select(0, idx)).pow(2).mean();
      sgd.zero_grad();
      loss.backward();
      sgd.step();
    }
    torch::NoGradGuard no_grad;
    const double expected = (replay->forward(x) - y).pow(2).mean().item<double>();
    EXPECT_DOUBLE_EQ(table.value(epoch, "valid_loss"), expected) << "epoch " << epoch + 1;
    EXPECT_EQ(table.value(epoch, "step"), double(2 * (epoch + 1)));
  }
}

TEST(RunLayer, ResumedSlicesEqualOneRunAndTheSummaryReportsTheBestCheckpoint) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.lr = 0.6;  // large enough that the loss is not monotone: the best epoch is not the last
  train(info, config_to_json(config), quiet(tmp.file("whole"), log));
  RunOptions first = quiet(tmp.file("sliced"), log);
  first.stop_after_epoch = 1;
  EXPECT_FALSE(train(info, config_to_json(config), first).finished);
  RunOptions second = resuming(tmp.file("sliced"), log);
  EXPECT_TRUE(train(info, config_to_json(config), second).finished);
  const auto a = toy_metrics(tmp.file("whole/metrics.csv"));
  const auto b = toy_metrics(tmp.file("sliced/metrics.csv"));
  ASSERT_EQ(a.num_rows(), b.num_rows());
  size_t best_row = 0;
  for (size_t r = 0; r < a.num_rows(); ++r) {
    EXPECT_EQ(a.value(r, "valid_loss"), b.value(r, "valid_loss"));
    if (a.value(r, "valid_score") > a.value(best_row, "valid_score")) best_row = r;
  }
  const nlohmann::json summary = read_json(tmp.file("whole/summary.json"));
  EXPECT_EQ(summary["checkpoint"], "best");
  EXPECT_DOUBLE_EQ(summary["best_valid_score"].get<double>(), a.value(best_row, "valid_score"));
  // The final evaluation is of ckpt.best: the same model as that epoch's validation.
  EXPECT_DOUBLE_EQ(summary["test"]["loss"].get<double>(), a.value(best_row, "valid_loss"));
  if (best_row + 1 != a.num_rows()) {
    EXPECT_EQ(summary["checkpoint_epoch"].get<int64_t>(), int64_t(best_row + 1));
  }
  EXPECT_EQ(summary["method"], "sgd");
}

// A stop request at the given split and epoch, as the signal watcher makes it when Ctrl-C arrives there.
struct StopAt {
  StopAt(std::string split, int64_t epoch) {
    train::StopSignal::reset();
    evaluation_hook = [split, epoch](const std::string& s, int64_t e) {
      if (s != split || e != epoch) return;
      train::StopSignal::request();
      train::StopSignal::throw_if_requested("a toy evaluation");
    };
  }
  ~StopAt() {
    evaluation_hook = nullptr;
    train::StopSignal::reset();
  }
};

TEST(RunLayerStop, AStopDuringTheFinalEvaluationKeepsTheEpochsAndResumeEvaluatesThem) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  const ToyConfig config;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("whole"), log)).finished);
  {
    const StopAt stop("test", config.epochs);
    const RunResult r = train(info, config_to_json(config), quiet(tmp.file("stopped"), log));
    EXPECT_TRUE(r.stopped);
    EXPECT_TRUE(r.finished);
    EXPECT_EQ(r.epochs_completed, config.epochs);
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.file("stopped/summary.json")));
  EXPECT_NE(log.str().find("stopped during the final evaluation"), std::string::npos) << log.str();
  RunOptions resume = resuming(tmp.file("stopped"), log);
  const RunResult r = train(info, config_to_json(config), resume);
  EXPECT_FALSE(r.stopped);
  const nlohmann::json a = read_json(tmp.file("whole/summary.json")),
                       b = read_json(tmp.file("stopped/summary.json"));
  EXPECT_EQ(a["test"], b["test"]);
  EXPECT_EQ(a["valid"], b["valid"]);
}

TEST(RunLayerStop, AStopDuringAValidationDropsThatEpochAndResumeRedoesIt) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.lr = 0.6;
  ASSERT_TRUE(train(info, config_to_json(config), quiet(tmp.file("whole"), log)).finished);
  {
    const StopAt stop("valid", 2);
    const RunResult r = train(info, config_to_json(config), quiet(tmp.file("stopped"), log));
    EXPECT_TRUE(r.stopped);
    EXPECT_FALSE(r.finished);
    EXPECT_EQ(r.epochs_completed, 1);
  }
  RunOptions resume = resuming(tmp.file("stopped"), log);
  ASSERT_TRUE(train(info, config_to_json(config), resume).finished);
  const auto a = toy_metrics(tmp.file("whole/metrics.csv"));
  const auto b = toy_metrics(tmp.file("stopped/metrics.csv"));
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t r = 0; r < a.num_rows(); ++r) EXPECT_EQ(a.value(r, "valid_loss"), b.value(r, "valid_loss"));
}

TEST(RunLayer, ARunIsFinishedOnlyOnceItsPicturesAreDrawn) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions options = quiet(tmp.file("run"), log);
  options.figures = true;
  figures_fail = true;
  EXPECT_THROW(train(info, config_to_json(ToyConfig()), options), std::runtime_error);
  figures_fail = false;
  // summary.json is what marks a finished run, and it comes after the pictures.
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run/summary.json")));
  RunOptions resume = resuming(tmp.file("run"), log);
  resume.figures = true;
  EXPECT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
  EXPECT_TRUE(std::filesystem::exists(tmp.file("run/figure.txt")));
  EXPECT_TRUE(std::filesystem::exists(tmp.file("run/summary.json")));
}

TEST(RunLayerCheckpoint, AConfigThatContradictsTheCheckpointIsANamedError) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 2;
  train(info, config_to_json(config), first);
  // config.json edited by hand: another learning rate than the one the checkpoint was trained with.
  ToyConfig edited = config;
  edited.lr = 0.5;
  io::write_file_atomically(tmp.file("run/config.json"), config_to_json(edited));
  RunOptions resume = resuming(tmp.file("run"), log);
  expect_error_containing([&] { train(info, config_to_json(edited), resume); },
                          "lr 0.05 in the checkpoint, 0.5 in the config");
  expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr); },
                          "lr 0.05 in the checkpoint, 0.5 in the config");
  // The planned epochs may differ: that is how a run is extended.
  io::write_file_atomically(tmp.file("run/config.json"), config_to_json(config));
  resume.explicit_settings = {{"epochs", "--epochs"}};
  ToyConfig longer = config;
  longer.epochs = 6;
  EXPECT_TRUE(train(info, config_to_json(longer), resume).finished);
}

// A checkpoint that cannot be written (the file-size limit fails write() as a full disk does) ends the run
// with one error naming the file and saying the previous checkpoint is intact: LibTorch's own file writer
// aborted the process instead. In a child process, since the limit is process-wide.
TEST(RunLayerCheckpoint, AFailedCheckpointWriteIsACleanErrorAndTheRunResumesLater) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 1;
  train(info, config_to_json(ToyConfig()), first);
  const auto size = std::filesystem::file_size(tmp.file("run/ckpt.last"));
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlim_t bytes = size / 2;  // config.json and metrics.csv fit, a checkpoint does not
    const struct rlimit limit = {bytes, bytes};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(2);
    std::ostringstream child_log;
    RunOptions resume = resuming(tmp.file("run"), child_log);
    try {
      train(info, config_to_json(ToyConfig()), resume);
    } catch (const c10::Error& e) {
      const std::string message = e.what_without_backtrace();
      ::_exit(message.find("cannot write " + tmp.file("run/ckpt.last")) != std::string::npos &&
                      message.find("is intact") != std::string::npos
                  ? 0
                  : 3);
    }
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The folder is as the first slice left it, and resumes.
  RunOptions resume = resuming(tmp.file("run"), log);
  EXPECT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
}

TEST(RunLayer, ATrainingRemovesTheTemporaryFilesOfAKilledWrite) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 1;
  train(info, config_to_json(ToyConfig()), first);
  io::write_file_atomically(tmp.file("run/.ckpt.tmp-Ab12Cd"), "half a checkpoint");
  RunOptions resume = resuming(tmp.file("run"), log);
  ASSERT_TRUE(train(info, config_to_json(ToyConfig()), resume).finished);
  EXPECT_FALSE(std::filesystem::exists(tmp.file("run/.ckpt.tmp-Ab12Cd")));
  EXPECT_NE(log.str().find("removed 1 unfinished temporary file"), std::string::npos) << log.str();
}

TEST(RunLayer, RefusesAnotherExperimentsFolderAndWritesNothingForABadConfig) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig bad;
  bad.epochs = 0;
  expect_error_containing([&] { train(info, config_to_json(bad), quiet(tmp.file("bad"), log)); },
                          "epochs must be >= 1, got 0");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("bad")));
  std::filesystem::create_directories(tmp.file("other"));
  io::write_file_atomically(tmp.file("other/config.json"), "{\"experiment\": \"signal_game\", \"seed\": 1}");
  RunOptions resume = resuming(tmp.file("other"), log);
  expect_error_containing([&] { train(info, config_to_json(ToyConfig{}), resume); },
                          "belongs to experiment 'signal_game', not 'toy'");
  expect_error_containing([&] { evaluate_run(info, tmp.file("other"), "test", "last", 0); },
                          "belongs to experiment 'signal_game', not 'toy'");
  expect_error_containing([&] { config_from_json<ToyConfig>("{\"experiment\": \"toy\", \"lr\": 1}", "toy"); },
                          "missing key 'method'");
  // Integers are integers (no silent truncation of 1.9 to 1), and seeds are not negative.
  expect_error_containing(
      [&] {
        config_from_json<ToyConfig>(
            R"({"experiment": "toy", "method": "sgd", "preset": "quick", "seed": 1, "epochs": 1.9, "lr": 1})",
            "toy");
      },
      "key 'epochs' must be an integer, got 1.9");
  ToyConfig negative;
  negative.seed = -1;
  expect_error_containing([&] { train(info, config_to_json(negative), quiet(tmp.file("neg"), log)); },
                          "seed must be >= 0, got -1");
  EXPECT_FALSE(std::filesystem::exists(tmp.file("neg")));
}

TEST(RunLayer, ASecondProcessInTheSameRunFolderIsRefusedNamingTheHolder) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 1;
  train(info, config_to_json(config), quiet(tmp.file("run"), log));
  {
    // flock locks belong to open file descriptions, so a second lock in this process conflicts like another
    // process's would.
    const RunFolderLock holder(tmp.file("run"));
    RunOptions resume = resuming(tmp.file("run"), log);
    const std::string pid = std::to_string(::getpid());
    expect_error_containing([&] { train(info, config_to_json(config), resume); },
                            "is in use by another mixdist process (PID " + pid + ")");
    expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0); }, "PID " + pid);
    expect_error_containing([&] { RunFolderLock again(tmp.file("run")); }, "in use");
  }
  // Released with its holder: the run can be evaluated again.
  EXPECT_NO_THROW(evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr));
}

TEST(RunLayerCheckpoint, AFlippedBitInAWeightIsRefusedByName) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 1;
  train(info, config_to_json(config), quiet(tmp.file("run"), log));
  // Find the trained weight's float bytes in ckpt.last (they are stored raw) and flip one bit of them.
  auto toy = info.create(config_to_json(config));
  load_model(tmp.file("run/ckpt.last"), info, "sgd", toy->model());
  const float weight = toy->model().parameters()[0].item<float>();
  std::string bytes = io::read_file(tmp.file("run/ckpt.last"));
  const std::string needle(reinterpret_cast<const char*>(&weight), sizeof weight);
  const size_t at = bytes.find(needle);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 1] = static_cast<char>(bytes[at + 1] ^ 0x04);
  io::write_file_atomically(tmp.file("run/ckpt.last"), bytes);
  expect_error_containing([&] { load_model(tmp.file("run/ckpt.last"), info, "sgd", toy->model()); },
                          "ckpt.last is damaged: the CRC-32 of its content");
  expect_error_containing([&] { evaluate_run(info, tmp.file("run"), "test", "last", 0, nullptr); },
                          "damaged");
}

TEST(RunLayerCheckpoint, VersionOneCheckpointsStillLoad) {
  // The layout of format_version 1 (before the checksum), written by hand.
  TempDir tmp;
  const ExperimentInfo info = toy_info();
  torch::manual_seed(3);
  auto toy = info.create(config_to_json(ToyConfig{}));
  torch::serialize::OutputArchive archive, model;
  toy->model().save(model);
  archive.write("experiment", c10::IValue(std::string("toy")));
  archive.write("method", c10::IValue(std::string("sgd")));
  archive.write("format_version", c10::IValue(int64_t{1}));
  archive.write("model", model);
  archive.write("epoch", c10::IValue(int64_t{2}));
  archive.write("step", c10::IValue(int64_t{4}));
  archive.save_to(tmp.file("v1.ckpt"));
  torch::manual_seed(4);
  auto other = info.create(config_to_json(ToyConfig{}));
  const Progress p = load_model(tmp.file("v1.ckpt"), info, "sgd", other->model());
  EXPECT_EQ(p.step, 4);
  EXPECT_TRUE(torch::equal(other->model().parameters()[0], toy->model().parameters()[0]));
}

TEST(RunLayer, AFolderWithCompletedEpochsButNoLastCheckpointIsNotRetrainedOverIt) {
  TempDir tmp;
  std::ostringstream log;
  const ExperimentInfo info = toy_info();
  ToyConfig config;
  config.epochs = 3;
  RunOptions first = quiet(tmp.file("run"), log);
  first.stop_after_epoch = 2;
  train(info, config_to_json(config), first);
  std::filesystem::remove(tmp.file("run/ckpt.last"));
  const std::string metrics = io::read_file(tmp.file("run/metrics.csv"));
  RunOptions resume = resuming(tmp.file("run"), log);
  expect_error_containing([&] { train(info, config_to_json(config), resume); },
                          "has completed epochs (metrics.csv) but no ckpt.last");
  EXPECT_EQ(io::read_file(tmp.file("run/metrics.csv")), metrics);
}

TEST(RunLayerCompare, GroupsByExperimentAndUsesEachOnesSpread) {
  TempDir tmp;
  std::vector<ExperimentInfo> experiments = {toy_info(), toy_info()};
  experiments[1].name = "toy_pop";
  experiments[1].title = "Toy with population std";
  experiments[1].spread = ExperimentInfo::Spread::kPopulationStd;
  std::vector<RunSummary> runs;
  for (const std::string name : {"toy", "toy_pop"}) {
    for (int seed : {1, 2, 3}) {
      const std::string dir = tmp.file(name + std::to_string(seed));
      std::filesystem::create_directories(dir);
      nlohmann::json j;
      j["experiment"] = name;
      j["method"] = "sgd";
      j["preset"] = "quick";
      j["seed"] = seed;
      j["test"] = {{"loss", double(seed)}};
      io::write_file_atomically(dir + "/summary.json", j.dump());
      runs.push_back(read_run_summary(experiments, dir, "test"));
    }
  }
  // A run whose distinguishing setting differs from its default is another method.
  experiments[0].distinguishing_settings = {{"mode", "plain"}};
  {
    const std::string dir = tmp.file("toy-other");
    std::filesystem::create_directories(dir);
    io::write_file_atomically(dir + "/summary.json",
                              R"({"experiment": "toy", "method": "sgd", "mode": "other",
                                                          "preset": "quick", "seed": 1, "test": {"loss": 7}})");
    const RunSummary other = read_run_summary(experiments, dir, "test");
    EXPECT_EQ(other.variant, "sgd (mode other)");
    runs.insert(runs.begin(), other);
  }
  runs.push_back(runs.back());  // the same folder named twice counts once
  runs.back().run_dir = tmp.file("toy_pop3/.");
  auto rows = compare_runs(experiments, runs);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].variant, "sgd (mode other)");  // right after its plain variant
  EXPECT_DOUBLE_EQ(rows[1].mean[0], 7.0);
  rows.erase(rows.begin() + 1);
  EXPECT_EQ(rows[0].experiment, "toy");
  EXPECT_DOUBLE_EQ(rows[0].mean[0], 2.0);
  EXPECT_NEAR(rows[0].spread[0], 1.0 / std::sqrt(3.0), 1e-15);  // sample std 1, over sqrt(3)
  EXPECT_NEAR(rows[1].spread[0], std::sqrt(2.0 / 3.0), 1e-15);  // population std
  const std::string md = comparison_markdown(experiments, rows, "test");
  EXPECT_NE(md.find("| sgd | quick | 3 | 2.000 ± 0.577 |"), std::string::npos) << md;
  EXPECT_NE(md.find("mean ± standard error"), std::string::npos);
  EXPECT_NE(md.find("Toy with population std (toy_pop)"), std::string::npos);
  EXPECT_NE(comparison_csv(experiments, rows).find("toy,sgd,quick,3,loss,2,"), std::string::npos);
  expect_error_containing([&] { find_experiment(experiments, "game"); }, "knows: toy, toy_pop");
}

TEST(RunLayerCompare, RunsThatDifferInAnySettingButTheSeedAreNotAveragedTogether) {
  TempDir tmp;
  const std::vector<ExperimentInfo> experiments = {toy_info()};
  std::vector<RunSummary> runs;
  const std::vector<std::tuple<int64_t, int64_t, double>> seeds_epochs_loss = {
      {1, 4, 1.0}, {2, 4, 3.0}, {3, 6, 10.0}};
  for (const auto& [seed, epochs, loss] : seeds_epochs_loss) {
    const std::string dir = tmp.file("run" + std::to_string(seed));
    std::filesystem::create_directories(dir);
    ToyConfig config;
    config.seed = seed;
    config.epochs = epochs;
    io::write_file_atomically(dir + "/config.json", config_to_json(config));
    nlohmann::json j = {{"experiment", "toy"}, {"method", "sgd"}, {"preset", "quick"}, {"seed", seed}};
    j["test"] = {{"loss", loss}};
    io::write_file_atomically(dir + "/summary.json", j.dump());
    runs.push_back(read_run_summary(experiments, dir, "test"));
  }
  const auto rows = compare_runs(experiments, runs);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].variant, "sgd (epochs 4)");
  EXPECT_EQ(rows[0].runs, 2);
  EXPECT_DOUBLE_EQ(rows[0].mean[0], 2.0);
  EXPECT_EQ(rows[1].variant, "sgd (epochs 6)");
  EXPECT_EQ(rows[1].runs, 1);
  // Seeds alone never split a row.
  runs.pop_back();
  const auto same = compare_runs(experiments, runs);
  ASSERT_EQ(same.size(), 1u);
  EXPECT_EQ(same[0].variant, "sgd");
}

}  // namespace
}  // namespace mixdist::experiments::run
