#include "mixdist/experiments/signal_game/experiment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mixdist/experiments/signal_game/data.h"
#include "mixdist/experiments/signal_game/evaluation.h"
#include "mixdist/experiments/signal_game/model.h"
#include "mixdist/experiments/signal_game/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/fused_adam.h"

namespace mixdist::experiments::signal_game {
namespace {

run::Evaluation as_evaluation(const GameMetrics& m) {
  return run::make_evaluation(eval_metric_names(), eval_metric_values(m), m.games, /*samples=*/0);
}

// Sums of the per-game training terms over an epoch.
struct EpochSums {
  double games = 0, loss = 0, correct = 0, nonzeros = 0;
  double mean(double v) const { return v / std::max(games, 1.0); }
};

class GameExperiment final : public run::Experiment {
 public:
  explicit GameExperiment(GameConfig config)
      : config_(std::move(config)),
        data_(load_game_data(config_)),
        model_(config_, data_.pool.feature_dim()),
        adam_(model_->parameters(), torch::optim::AdamOptions(config_.lr)) {}

  std::string config_json() const override { return config_.to_json(); }
  int64_t epochs() const override { return config_.epochs; }
  int64_t steps_per_epoch() const override { return config_.steps_per_epoch; }
  std::vector<std::string> train_columns() const override {
    return {"train_loss", "train_accuracy", "train_nonzeros", "temperature"};
  }
  std::vector<std::string> eval_columns() const override { return eval_metric_names(); }
  torch::nn::Module& model() override { return *model_; }
  std::vector<run::NamedOptimizer> optimizers() override { return {{"adam", &adam_}}; }

  void begin_epoch(const run::Progress&) override { sums_ = EpochSums{}; }

  double train_step(int64_t, const run::Progress& at) override {
    const data::ConceptImages& images = data_.pool.train;
    const data::Games games =
        data::draw_games(config_.batch_size, images.concepts(), images.images_per_concept(),
                         config_.game_size, at::detail::getDefaultCPUGenerator());
    model_->set_temperature(temperature_at(config_, at.step));
    const GameOutput o = model_->play(images, games);
    adam_.clear_grad();
    o.loss.backward();
    adam_.step();
    const double B = static_cast<double>(games.size());
    sums_.games += B;
    sums_.loss += o.loss.item<double>() * B;
    sums_.correct += o.correct.sum().item<double>();
    sums_.nonzeros += o.nonzeros.sum().item<double>();
    steps_done_ = at.step + 1;
    return sums_.mean(sums_.loss);
  }

  std::vector<double> end_epoch() override {
    return {sums_.mean(sums_.loss), 100.0 * sums_.mean(sums_.correct), sums_.mean(sums_.nonzeros),
            temperature_at(config_, steps_done_)};
  }

  bool validates_after(int64_t epoch) const override {
    return config_.validate_every > 0 && epoch % config_.validate_every == 0;
  }
  run::Evaluation validate(const run::Progress& at) override {
    model_->set_temperature(evaluation_temperature(config_, at.step, /*final=*/false));
    return as_evaluation(signal_game::evaluate(*model_, data_.pool.train, data_.valid, config_));
  }
  run::Evaluation evaluate(const std::string& split, int64_t, const run::Progress& at) override {
    model_->set_temperature(evaluation_temperature(config_, at.step, /*final=*/true));
    plays_split_ = split;
    return as_evaluation(
        signal_game::evaluate(*model_, data_.images(split), data_.games(split), config_, &plays_));
  }

  // interactions_<tag>.jsonl: each game of the evaluation just made (interactions_jsonl).
  std::vector<std::string> write_evaluation_log(const std::string& run_dir, const std::string& split,
                                                const std::string& tag) override {
    TORCH_CHECK(split == plays_split_ && plays_.messages.defined(), "signal game: no evaluation of split '",
                split, "' to log");
    const std::string path = run_dir + "/interactions_" + tag + ".jsonl";
    io::write_file_atomically(path,
                              interactions_jsonl(data_.games(split), data_.pool.concept_digits, plays_));
    plays_ = GamePlays{};
    plays_split_.clear();
    return {path};
  }

  std::string describe(const run::Evaluation& e) const override {
    return fmt::format(
        "success {:.2f}%  loss {:.4f}  nonzeros {:.2f}  symbol entropy {:.2f} bits  distinct symbols {:.0f}  "
        "topsim {:.3f} ({} games)",
        run::metric_value(e, "accuracy"), run::metric_value(e, "loss"), run::metric_value(e, "nonzeros"),
        run::metric_value(e, "symbol_entropy"), run::metric_value(e, "distinct_symbols"),
        run::metric_value(e, "topsim"), e.images);
  }
  std::string epoch_summary(const std::vector<double>& train_values,
                            const run::Evaluation* validation) const override {
    std::string s = fmt::format("train loss {:.4f}, success {:.2f}%, nonzeros {:.2f}", train_values.at(0),
                                train_values.at(1), train_values.at(2));
    if (validation)
      s += fmt::format(", valid success {:.2f}%, nonzeros {:.2f}", run::metric_value(*validation, "accuracy"),
                       run::metric_value(*validation, "nonzeros"));
    return s;
  }

  std::vector<std::string> write_figures(const std::string& run_dir, const std::vector<std::string>& columns,
                                         const std::vector<std::vector<double>>& rows) override {
    return write_report_figures(*model_, data_, columns, rows, run_dir);
  }

 private:
  GameConfig config_;
  GameData data_;
  GameModel model_;
  train::FusedAdam adam_;
  EpochSums sums_;
  GamePlays plays_;  // of the last final evaluation, until write_evaluation_log writes them
  std::string plays_split_;
  int64_t steps_done_ = 0;  // the "temperature" column is the one after the epoch, which its validation uses
};

run::ExperimentInfo make_info() {
  run::ExperimentInfo i;
  i.name = "signal_game";
  i.command = "game";
  i.title = "Signal game (emergent communication, MNIST digit-triple concepts)";
  i.variant_key = "channel";
  for (Channel c : all_channels()) i.variants.push_back(channel_name(c));
  i.selection_metric = "accuracy";
  i.selection_minimises = false;
  // The reference code tested the checkpoint its Lightning callback kept: the best on validation.
  i.final_checkpoint = "best";
  i.comparison = {{"success (%)", "accuracy", 2},
                  {"nonzeros", "nonzeros", 2},
                  {"symbol entropy (bits)", "symbol_entropy", 2},
                  {"distinct symbols", "distinct_symbols", 1},
                  {"topographic similarity", "topsim", 3},
                  {"loss", "loss", 4}};
  i.spread = run::ExperimentInfo::Spread::kStandardError;
  i.unit = "success in % of games won (chance 1/game_size); nonzeros: mean symbols per message";
  i.distinguishing_settings = {{"compat", "none"}, {"features", "pixels"}};
  i.create = [](const std::string& json) -> std::unique_ptr<run::Experiment> {
    return std::make_unique<GameExperiment>(GameConfig::from_json(json));
  };
  return i;
}

}  // namespace

double evaluation_temperature(const GameConfig& config, int64_t completed_steps, bool final) {
  if (final && config.compat == "authors") return 1.0;
  return temperature_at(config, completed_steps);
}

const run::ExperimentInfo& info() {
  static const run::ExperimentInfo i = make_info();
  return i;
}

run::RunResult train_game(const GameConfig& config, const run::RunOptions& options) {
  config.validate();
  return run::train(info(), config.to_json(), options);
}

run::RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                                const std::string& checkpoint, std::ostream* log) {
  return run::evaluate_run(info(), run_dir, split, checkpoint, /*samples=*/0, log);
}

}  // namespace mixdist::experiments::signal_game
