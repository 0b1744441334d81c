#include "mixdist/experiments/run/trainer.h"

#include <ATen/ATen.h>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

#include "mixdist/distributed/broadcast.h"
#include "mixdist/distributed/config_check.h"
#include "mixdist/distributed/process_group.h"
#include "mixdist/distributed/shard.h"
#include "mixdist/experiments/run/checkpoint.h"
#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/experiments/run/run_lock.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/progress.h"
#include "mixdist/train/rng_state.h"
#include "mixdist/train/stop_signal.h"

namespace mixdist::experiments::run {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kSecondsColumn = 2;  // after "epoch" and "step"

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string variant_of(const ExperimentInfo& info, const nlohmann::json& config) {
  TORCH_CHECK(config.contains(info.variant_key) && config[info.variant_key].is_string(), "config of ",
              info.name, ": missing key '", info.variant_key, "'");
  return config[info.variant_key].get<std::string>();
}

int64_t integer_setting(const nlohmann::json& config, const char* key) {
  TORCH_CHECK(config.contains(key) && config[key].is_number_integer(), "config: missing integer key '", key,
              "'");
  return config[key].get<int64_t>();
}

// A resumed run never silently ignores a setting the caller chose: every explicit setting but "epochs" must
// equal the run's, and all that do not are named in one error, each with both values.
void check_resume_settings(const nlohmann::json& have, const nlohmann::json& want,
                           const std::map<std::string, std::string>& explicit_settings,
                           const std::string& dir) {
  std::string conflicts;
  for (const auto& [key, name] : explicit_settings) {
    TORCH_CHECK(have.contains(key), "train: explicit setting '", key, "' (", name,
                ") is not a key of config.json");
    if (key == "epochs" || have[key] == want[key]) continue;
    conflicts += fmt::format("{}{} {} (the run has {})", conflicts.empty() ? "" : ", ", name,
                             want[key].dump(), have[key].dump());
  }
  TORCH_CHECK(conflicts.empty(), "cannot resume ", dir, " with different settings: ", conflicts,
              ". A resumed run keeps the settings of its config.json; only the number of epochs may change");
}

// Whether summary.json holds the final evaluation of the run's last completed epoch (an extended run keeps
// its old summary until the new one replaces it; a run stopped during its final evaluation has none).
bool summary_is_current(const std::string& path, const Progress& at) {
  if (!path_exists(path)) return false;
  try {
    const nlohmann::json j = nlohmann::json::parse(io::read_file(path));
    return j.value("epochs", int64_t{-1}) == at.epoch && j.value("steps", int64_t{-1}) == at.step;
  } catch (const nlohmann::json::exception&) {
    return false;
  } catch (const c10::Error&) {
    return false;
  }
}

nlohmann::ordered_json evaluation_json(const Evaluation& e) {
  nlohmann::ordered_json j;
  for (const auto& [name, value] : e.metrics) j[name] = value;
  j["images"] = e.images;
  if (e.samples > 0) j["is_samples"] = e.samples;
  return j;
}

// The temporary files of writes that a killed process left behind (a checkpoint half written when the disk
// filled up, say). Only while holding the folder's lock: then no other process is writing there.
void remove_leftovers(const std::string& dir, std::ostream& log) {
  const size_t removed = io::remove_stale_temp_files(dir);
  if (removed > 0)
    log << fmt::format("{}: removed {} unfinished temporary file{} of an interrupted write\n", dir, removed,
                       removed == 1 ? "" : "s");
}

// ---- data-parallel runs: rank 0 owns the run folder, the other ranks compute (trainer.h)

bool writes(const distributed::ProcessGroup* group) {
  return group == nullptr || group->rank() == 0;
}

// Where the ranks that do not write send their log: nowhere.
std::ostream& discarded_log() {
  static std::ostream nowhere(nullptr);
  return nowhere;
}

// Runs `step` (a step only rank 0 can take: checking the run folder, reading its files) on rank 0 and gives
// every rank its result; if it fails, every rank throws its error.
std::string on_rank0(distributed::ProcessGroup* group, const std::function<std::string()>& step) {
  if (group == nullptr) return step();
  std::string outcome;
  if (group->rank() == 0) {
    try {
      outcome = "ok\n" + step();
    } catch (const c10::Error& e) {
      outcome = std::string("error\n") + e.what_without_backtrace();
    } catch (const std::exception& e) {
      outcome = std::string("error\n") + e.what();
    }
  }
  outcome = distributed::broadcast_string(*group, outcome, 0, "rank 0's view of the run folder");
  const std::string body = outcome.substr(outcome.find('\n') + 1);
  TORCH_CHECK(outcome.rfind("ok\n", 0) == 0, group->rank() == 0 ? "" : "rank 0: ", body);
  return body;
}

bool on_rank0_flag(distributed::ProcessGroup* group, const std::function<bool()>& test) {
  return on_rank0(group, [&] { return std::string(test() ? "1" : "0"); }) == "1";
}

// A file of rank 0's run folder (a checkpoint) received by another rank, in a private temporary file (the
// checkpoint loaders take a path); removed when it goes out of scope.
class ReceivedFile {
 public:
  explicit ReceivedFile(const std::string& bytes) {
    static std::atomic<int> count{0};
    path_ = (std::filesystem::temp_directory_path() /
             fmt::format("mixdist-received-{}-{}", static_cast<int64_t>(::getpid()), count++))
                .string();
    io::write_file_atomically(path_, bytes);
  }
  ~ReceivedFile() { std::remove(path_.c_str()); }
  ReceivedFile(const ReceivedFile&) = delete;
  ReceivedFile& operator=(const ReceivedFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// load(path) on every rank, each reading rank 0's file `path` (sent to the others).
template <class Load>
auto load_rank0_file(distributed::ProcessGroup* group, const std::string& path, const Load& load) {
  if (group == nullptr || group->size() == 1) return load(path);
  const std::string bytes =
      distributed::broadcast_string(*group, group->rank() == 0 ? io::read_file(path) : "", 0, path);
  if (group->rank() == 0) return load(path);
  const ReceivedFile copy(bytes);
  return load(copy.path());
}

// A stop request on any rank stops all of them at the same step (a rank that stopped alone would leave the
// others waiting in their next collective).
bool stop_requested(distributed::ProcessGroup* group) {
  const bool mine = train::StopSignal::requested();
  if (group == nullptr || group->size() == 1) return mine;
  at::Tensor any = at::tensor({mine ? 1.0f : 0.0f});
  group->all_reduce_sum(any, "the stop requests");
  return any.item<float>() > 0;
}

void join(distributed::ProcessGroup* group, const ExperimentInfo& info, Experiment& experiment) {
  if (group == nullptr) return;
  TORCH_CHECK(experiment.join(*group), "experiment ", info.name,
              " does not support data-parallel runs yet; run it without RANK/WORLD_SIZE");
}

bool better(const ExperimentInfo& info, double value, double best) {
  if (std::isnan(value)) return false;
  if (std::isnan(best)) return true;
  return info.selection_minimises ? value < best : value > best;
}

// The per-epoch loop, with the state that the checkpoints carry.
class RunLoop {
 public:
  RunLoop(const ExperimentInfo& info, Experiment& experiment, std::string variant, const RunOptions& options,
          uint64_t seed)
      : info_(info),
        experiment_(experiment),
        variant_(std::move(variant)),
        options_(options),
        group_(options.group),
        seed_(seed),
        log_(writes(options.group) ? *options.log : discarded_log()),
        paths_(options.run_dir),
        table_(metrics_columns(experiment)),
        selection_column_(table_.column_index("valid_" + info.selection_metric)) {}

  void restore(TrainingState state) {
    state_ = std::move(state);
    for (const auto& row : state_.metrics_rows) table_.append(row);
  }
  const TrainingState& state() const { return state_; }
  const train::MetricsTable& table() const { return table_; }

  double train_seconds() const {
    double s = 0;
    for (const auto& row : state_.metrics_rows) s += row[kSecondsColumn];
    return s;
  }

  // Trains one epoch and records it; false if a stop request dropped it.
  bool run_epoch() {
    const int64_t epoch = state_.progress.epoch + 1, steps = experiment_.steps_per_epoch();
    experiment_.model().train();
    train::ProgressBar bar(
        train::ProgressOptions()
            .label(fmt::format("epoch {}/{}", epoch, experiment_.epochs()))
            .total_steps(steps)
            .interactive(writes(group_) ? options_.interactive : c10::optional<bool>(false))
            .stream(&log_));
    const auto start = Clock::now();
    Progress at = state_.progress;
    if (group_ != nullptr) {
      // Every rank starts the epoch from rank 0's generator: begin_epoch draws the data order of a
      // single-process run; then the ranks but 0 switch to their own streams.
      std::vector<at::Tensor> state = {train::global_rng_state()};
      group_->broadcast(state, 0, "the generator state");
      train::set_global_rng_state(state[0]);
    }
    experiment_.begin_epoch(at);
    if (group_ != nullptr && group_->rank() > 0)
      at::manual_seed(distributed::rank_seed(seed_, group_->rank(), epoch));
    for (int64_t s = 0; s < steps; ++s) {
      if (stop_requested(group_)) {
        log_ << fmt::format("\nstopped during epoch {}; its {} steps are dropped. Resume with --resume.\n",
                            epoch, s);
        return false;
      }
      const double loss = experiment_.train_step(s, at);
      ++at.step;
      TORCH_CHECK(std::isfinite(loss), "training diverged at epoch ", epoch, " step ", at.step,
                  ": the loss is not finite");
      bar.update(s + 1, loss);
    }
    at.epoch = epoch;
    std::vector<double> row = {double(epoch), double(at.step), seconds_since(start)};
    const std::vector<double> train_values = experiment_.end_epoch();
    TORCH_CHECK(train_values.size() == experiment_.train_columns().size(), "experiment ", info_.name,
                ": end_epoch gave ", train_values.size(), " values for ", experiment_.train_columns().size(),
                " training columns");
    row.insert(row.end(), train_values.begin(), train_values.end());
    const bool validate = epoch == experiment_.epochs() || experiment_.validates_after(epoch);
    Evaluation v;
    if (validate) {
      try {
        v = experiment_.validate(at);
      } catch (const train::Stopped&) {
        log_ << fmt::format("\nstopped during the validation of epoch {}; the epoch is dropped.\n", epoch);
        return false;
      }
      append_values(row, v);
    } else {
      row.insert(row.end(), experiment_.eval_columns().size(), kNaN);
    }
    bar.finish(experiment_.epoch_summary(train_values, validate ? &v : nullptr));
    state_.progress = at;
    record(row, /*replace_last=*/false);
    return true;
  }

  // The last epoch is always validated. Its row lacks validation only when a resumed run's planned epochs
  // were lowered to those it had completed: validate it now, as a run planned that way from the start did
  // (evaluations leave the generator alone, so the checkpoints stay those of that run).
  void validate_last_epoch_if_missing() {
    if (state_.metrics_rows.empty() || !std::isnan(state_.metrics_rows.back()[selection_column_])) return;
    std::vector<double> row = state_.metrics_rows.back();
    row.resize(row.size() - experiment_.eval_columns().size());
    const Evaluation v = experiment_.validate(state_.progress);
    append_values(row, v);
    log_ << fmt::format("epoch {} is now the last: valid {}\n", state_.progress.epoch,
                        experiment_.describe(v));
    record(row, /*replace_last=*/true);
  }

 private:
  void append_values(std::vector<double>& row, const Evaluation& v) const {
    TORCH_CHECK(v.metrics.size() == experiment_.eval_columns().size(), "experiment ", info_.name,
                ": an evaluation gave ", v.metrics.size(), " values for ", experiment_.eval_columns().size(),
                " columns");
    for (const auto& entry : v.metrics) row.push_back(entry.second);
  }

  void record(const std::vector<double>& row, bool replace_last) {
    const bool best = better(info_, row[selection_column_], state_.best_valid);
    if (best) state_.best_valid = row[selection_column_];
    if (replace_last) {
      state_.metrics_rows.back() = row;
      table_.truncate(table_.num_rows() - 1);
    } else {
      state_.metrics_rows.push_back(row);
    }
    table_.append(row);
    if (!writes(group_)) return;
    // Checkpoint first: it carries the metric rows too, so a crash between the two writes loses nothing.
    save_checkpoint(paths_.last, info_, variant_, experiment_, state_);
    if (best) save_checkpoint(paths_.best, info_, variant_, experiment_, state_);
    table_.save(paths_.metrics);
  }

  const ExperimentInfo& info_;
  Experiment& experiment_;
  std::string variant_;
  const RunOptions& options_;
  distributed::ProcessGroup* group_;
  uint64_t seed_;
  std::ostream& log_;
  RunPaths paths_;
  train::MetricsTable table_;
  size_t selection_column_;
  TrainingState state_;
};

// The final evaluation of a run whose epochs are all done, its figures, and summary.json (last).
void finish_run(const ExperimentInfo& info, const std::string& variant, const nlohmann::json& planned,
                Experiment& experiment, const RunLoop& loop, const RunOptions& options, RunResult& result) {
  distributed::ProcessGroup* group = options.group;
  const bool writer = writes(group);
  std::ostream& log = writer ? *options.log : discarded_log();
  const RunPaths paths(options.run_dir);
  const std::string& dir = paths.dir;
  const Progress at = loop.state().progress;

  // The reported checkpoint: ckpt.last is the model in memory now; ckpt.best is loaded (training is over).
  Progress reported = at;
  if (info.final_checkpoint == "best" && on_rank0_flag(group, [&] { return path_exists(paths.best); }))
    reported = load_rank0_file(group, paths.best, [&](const std::string& path) {
      return load_model(path, info, variant, experiment.model(), experiment.config_json());
    });
  log << fmt::format("final evaluation of ckpt.{}\n", info.final_checkpoint);
  const auto eval_start = Clock::now();
  std::vector<std::string> evaluation_logs;
  const auto evaluate_and_log = [&](const std::string& split) {
    const Evaluation e = experiment.evaluate(split, 0, reported);
    if (writer)
      for (const auto& f : experiment.write_evaluation_log(dir, split, split)) evaluation_logs.push_back(f);
    return e;
  };
  const Evaluation valid = evaluate_and_log("valid");
  log << "  valid: " << experiment.describe(valid) << "\n";
  const Evaluation test = evaluate_and_log("test");
  log << "  test:  " << experiment.describe(test) << "\n";
  const double eval_seconds = seconds_since(eval_start);
  for (const auto& f : evaluation_logs) log << "  wrote " << f << "\n";
  if (!writer) return;  // the files are rank 0's

  const double train_seconds = loop.train_seconds();
  const double best = loop.state().best_valid;
  nlohmann::ordered_json j;
  j["experiment"] = info.name;
  j[info.variant_key] = variant;
  j["preset"] = planned.value("preset", std::string());
  for (const auto& setting : info.distinguishing_settings)
    if (planned.contains(setting.key)) j[setting.key] = planned[setting.key];
  j["seed"] = integer_setting(planned, "seed");
  j["epochs"] = at.epoch;
  j["steps"] = at.step;
  j["checkpoint"] = info.final_checkpoint;
  if (reported.step != at.step) j["checkpoint_epoch"] = reported.epoch;
  j["valid"] = evaluation_json(valid);
  j["test"] = evaluation_json(test);
  j["best_valid_" + info.selection_metric] = std::isfinite(best) ? nlohmann::json(best) : nlohmann::json();
  j["train_seconds"] = train_seconds;
  j["train_steps_per_second"] = train_seconds > 0 ? double(at.step) / train_seconds : 0.0;
  j["final_eval_seconds"] = eval_seconds;
  // summary.json last: its presence is what makes a run finished (summary_is_current), so a run stopped or
  // killed while drawing its pictures is evaluated again on --resume, pictures included.
  if (options.figures) {
    const train::MetricsTable& table = loop.table();
    for (const auto& f : experiment.write_figures(dir, table.columns(), table.rows()))
      log << "  wrote " << f << "\n";
  }
  io::write_file_atomically(paths.summary, j.dump(2) + "\n");
  result.summary_path = paths.summary;
  log << "  wrote " << paths.summary << "\n";
}

}  // namespace

std::vector<std::string> metrics_columns(const Experiment& experiment) {
  std::vector<std::string> c = {"epoch", "step", "seconds"};
  for (const auto& name : experiment.train_columns()) c.push_back(name);
  for (const auto& name : experiment.eval_columns()) c.push_back("valid_" + name);
  return c;
}

int64_t epochs_for_steps(int64_t steps, int64_t steps_per_epoch, c10::optional<int64_t> epochs) {
  TORCH_CHECK(steps_per_epoch >= 1, "--steps: the steps per epoch must be >= 1, got ", steps_per_epoch);
  TORCH_CHECK(steps >= 1 && steps % steps_per_epoch == 0, "--steps ", steps,
              " is not a positive multiple of the ", steps_per_epoch,
              " steps per epoch: a run trains whole epochs (e.g. --steps ",
              std::max<int64_t>(1, steps / steps_per_epoch) * steps_per_epoch, ")");
  const int64_t planned = steps / steps_per_epoch;
  TORCH_CHECK(!epochs.has_value() || *epochs == planned, "--steps ", steps, " and --epochs ",
              epochs.value_or(0), " disagree: at ", steps_per_epoch, " steps per epoch, --steps ", steps,
              " is --epochs ", planned, "; give one of them");
  return planned;
}

std::string plan_steps(const std::string& config_json, const std::string& steps_per_epoch_key, int64_t steps,
                       RunOptions& options) {
  nlohmann::json config = parse_json_object(config_json, "the requested config");
  int64_t per_epoch = integer_setting(config, steps_per_epoch_key.c_str());
  const std::string run_config = RunPaths(options.run_dir).config;
  if (options.resume && options.explicit_settings.count(steps_per_epoch_key) == 0 &&
      path_exists(run_config)) {
    const nlohmann::json had = read_run_config(options.run_dir);
    if (had.contains(steps_per_epoch_key) && had[steps_per_epoch_key].is_number_integer())
      per_epoch = had[steps_per_epoch_key].get<int64_t>();
  }
  c10::optional<int64_t> epochs;
  if (options.explicit_settings.count("epochs") > 0) epochs = integer_setting(config, "epochs");
  config["epochs"] = epochs_for_steps(steps, per_epoch, epochs);
  options.explicit_settings["epochs"] = fmt::format("--steps {}, i.e. --epochs", steps);
  return config.dump();
}

RunResult train(const ExperimentInfo& info, const std::string& config_json, const RunOptions& options) {
  TORCH_CHECK(!options.run_dir.empty(), "train: run_dir must not be empty");
  TORCH_CHECK(options.log != nullptr, "train: log stream must not be null");
  distributed::ProcessGroup* group = options.group;
  const bool writer = writes(group);
  std::ostream& log = writer ? *options.log : discarded_log();
  const RunPaths paths(options.run_dir);
  const std::string& dir = paths.dir;

  const nlohmann::json requested = parse_json_object(config_json, "the requested config");
  const std::string variant = variant_of(info, requested);
  // Ranks started with different settings would average the gradients of different models.
  if (group != nullptr) distributed::check_same_config(*group, requested.dump());
  // One process at a time in a run folder: a resumed run locks it before reading anything, a new one as soon
  // as it has created it (and then checks again that no other run got there first). Rank 0 alone looks at
  // the folder; the others get the config it read.
  std::unique_ptr<RunFolderLock> lock;
  const nlohmann::json config = nlohmann::json::parse(on_rank0(group, [&] {
    if (!options.resume) {
      TORCH_CHECK(!path_exists(paths.config), "run folder ", dir,
                  " already holds a run; pass --resume to continue it, or choose another --out");
      return requested.dump();
    }
    TORCH_CHECK(path_exists(dir), "run folder ", dir, " does not exist");
    lock = std::make_unique<RunFolderLock>(dir);
    const nlohmann::json had_config = read_run_config(dir);
    TORCH_CHECK(experiment_name(had_config) == info.name, paths.config,
                ": this run folder belongs to experiment '", experiment_name(had_config), "', not '",
                info.name, "'");
    const std::string had = variant_of(info, had_config);
    TORCH_CHECK(had == variant, "run folder ", dir, " was trained with ", info.variant_key, " '", had,
                "', not '", variant, "'");
    check_resume_settings(had_config, requested, options.explicit_settings, dir);
    return had_config.dump();
  }));
  const int64_t saved_epochs = integer_setting(config, "epochs");
  const bool epochs_change = options.resume && options.explicit_settings.count("epochs") > 0 &&
                             integer_setting(requested, "epochs") != saved_epochs;
  nlohmann::json planned = config;
  if (epochs_change) planned["epochs"] = requested["epochs"];

  // The experiment validates the config and loads its data before anything is written: a bad setting or
  // missing data must not leave behind a run folder that then asks for --resume.
  const int64_t seed = integer_setting(planned, "seed");
  TORCH_CHECK(seed >= 0, "config: seed must be >= 0, got ", seed);
  at::manual_seed(static_cast<uint64_t>(seed));
  const std::unique_ptr<Experiment> experiment = info.create(planned.dump());
  join(group, info, *experiment);
  RunLoop loop(info, *experiment, variant, options, static_cast<uint64_t>(seed));
  // A run stopped before its first epoch completed has no checkpoint: nothing to restore, and starting over
  // is the same run.
  const bool restored = on_rank0_flag(group, [&] {
    if (!options.resume) {
      make_dirs(dir);
      lock = std::make_unique<RunFolderLock>(dir);
      TORCH_CHECK(!path_exists(paths.config), "run folder ", dir,
                  " already holds a run; pass --resume to continue it, or choose another --out");
      io::write_file_atomically(paths.config, experiment->config_json());
    }
    remove_leftovers(dir, log);
    const bool has_last = options.resume && path_exists(paths.last);
    // Without ckpt.last a folder with completed epochs cannot continue: starting over would overwrite its
    // metrics, ckpt.best and summary with another run's.
    TORCH_CHECK(
        !options.resume || has_last || !path_exists(paths.metrics), "cannot resume ", dir,
        ": it has completed epochs (metrics.csv) but no ckpt.last to continue from; train it again in "
        "another folder");
    return has_last;
  });
  if (restored) {
    loop.restore(load_rank0_file(group, paths.last, [&](const std::string& path) {
      return load_checkpoint(path, info, variant, *experiment);
    }));
  } else if (group != nullptr) {
    // Every rank drew its own initial weights; rank 0's are the run's.
    distributed::broadcast_module(*group, experiment->model());
  }
  const Progress done = loop.state().progress;
  RunResult result;
  result.epochs_completed = done.epoch;
  result.steps = done.step;

  if (epochs_change) {
    TORCH_CHECK(experiment->epochs() >= done.epoch, "cannot resume ", dir, " with ",
                options.explicit_settings.at("epochs"), " ", experiment->epochs(),
                ": it has already completed epoch ", done.epoch, " of ", saved_epochs,
                "; the planned epochs can be lowered to ", done.epoch, " at the least");
    if (writer) io::write_file_atomically(paths.config, experiment->config_json());
    log << fmt::format("{}: planned epochs {} -> {} (config.json updated)\n", dir, saved_epochs,
                       experiment->epochs());
  }
  if (options.resume && done.epoch >= experiment->epochs() &&
      on_rank0_flag(group, [&] { return summary_is_current(paths.summary, done); })) {
    log << fmt::format(
        "nothing to do: {} has completed all its epochs ({}) and been evaluated (summary.json); "
        "resume with a larger --epochs to train it further\n",
        dir, experiment->epochs());
    result.finished = true;
    result.summary_path = paths.summary;
    return result;
  }
  if (restored)
    log << fmt::format("resuming {} from epoch {} of {} (step {})\n", dir, done.epoch, experiment->epochs(),
                       done.step);
  else if (options.resume)
    log << fmt::format("{} has no completed epoch yet; starting from the beginning\n", dir);

  // From here on the first Ctrl-C / SIGTERM asks for a stop at the next step or evaluation batch; what is
  // finished by then stays on disk.
  const train::StopSignal::Listening listening;
  while (loop.state().progress.epoch < experiment->epochs()) {
    if (options.stop_after_epoch >= 0 && loop.state().progress.epoch >= options.stop_after_epoch) break;
    if (!loop.run_epoch()) {
      result.stopped = true;
      break;
    }
  }
  const Progress at = loop.state().progress;
  result.epochs_completed = at.epoch;
  result.steps = at.step;
  result.finished = at.epoch >= experiment->epochs();
  if (!result.finished) {
    if (!result.stopped)
      log << fmt::format("stopped after epoch {} of {}; resume with --resume\n", at.epoch,
                         experiment->epochs());
    return result;
  }
  try {
    loop.validate_last_epoch_if_missing();
    if (options.final_evaluation) finish_run(info, variant, planned, *experiment, loop, options, result);
  } catch (const train::Stopped&) {
    log << fmt::format(
        "\nstopped during the final evaluation of {}: all {} epochs are kept, the evaluation "
        "runs again on --resume\n",
        dir, at.epoch);
    result.stopped = true;
  }
  return result;
}

RunEvaluation evaluate_run(const ExperimentInfo& info, const std::string& run_dir, const std::string& split,
                           const std::string& checkpoint, int64_t samples, std::ostream* log,
                           distributed::ProcessGroup* group) {
  TORCH_CHECK(split == "valid" || split == "test", "split must be 'valid' or 'test', got '", split, "'");
  TORCH_CHECK(checkpoint == "last" || checkpoint == "best", "checkpoint must be 'last' or 'best', got '",
              checkpoint, "'");
  TORCH_CHECK(samples >= 0, "the number of importance samples must be >= 1 (or 0: the run's own), got ",
              samples);
  const bool writer = writes(group);
  if (group != nullptr)
    distributed::check_same_config(
        *group, fmt::format("{}\n{}\n{}\n{}\n{}", info.name, run_dir, split, checkpoint, samples));
  // Rank 0 holds the folder's lock (it writes eval_*.json, and must not read a checkpoint being replaced)
  // and reads config.json; the other ranks get the text.
  std::unique_ptr<RunFolderLock> lock;
  const nlohmann::json config = nlohmann::json::parse(on_rank0(group, [&] {
    const nlohmann::json c = read_run_config(run_dir);
    lock = std::make_unique<RunFolderLock>(run_dir);
    return c.dump();
  }));
  // a stop ends the evaluation (train::Stopped), writing nothing
  const train::StopSignal::Listening listening;
  TORCH_CHECK(experiment_name(config) == info.name, run_dir,
              "/config.json: this run folder belongs to experiment '", experiment_name(config), "', not '",
              info.name, "'");
  const std::string variant = variant_of(info, config);
  at::manual_seed(static_cast<uint64_t>(integer_setting(config, "seed")));
  const std::unique_ptr<Experiment> experiment = info.create(config.dump());
  join(group, info, *experiment);
  const std::string path = RunPaths(run_dir).dir + "/ckpt." + checkpoint;
  on_rank0(group, [&] {
    TORCH_CHECK(path_exists(path), "checkpoint ", path, " does not exist");
    return std::string();
  });
  const Progress at = load_rank0_file(group, path, [&](const std::string& file) {
    return load_model(file, info, variant, experiment->model(), experiment->config_json());
  });
  RunEvaluation r;
  r.evaluation = experiment->evaluate(split, samples, at);
  if (writer) r.evaluation_logs = experiment->write_evaluation_log(run_dir, split, split + "_" + checkpoint);
  r.split = split;
  r.checkpoint = checkpoint;
  r.output_path = r.evaluation.samples > 0
                      ? fmt::format("{}/eval_{}_{}_{}.json", run_dir, split, checkpoint, r.evaluation.samples)
                      : fmt::format("{}/eval_{}_{}.json", run_dir, split, checkpoint);
  if (!writer) return r;
  nlohmann::ordered_json j;
  j["experiment"] = info.name;
  j[info.variant_key] = variant;
  j["seed"] = integer_setting(config, "seed");
  j["split"] = split;
  j["checkpoint"] = checkpoint;
  j["checkpoint_epoch"] = at.epoch;
  j["metrics"] = evaluation_json(r.evaluation);
  io::write_file_atomically(r.output_path, j.dump(2) + "\n");
  if (log)
    *log << fmt::format("{} ({} split, ckpt.{}{}): {}\n", run_dir, split, checkpoint,
                        r.evaluation.samples > 0
                            ? fmt::format(", {} importance samples", r.evaluation.samples)
                            : std::string(),
                        experiment->describe(r.evaluation));
  return r;
}

}  // namespace mixdist::experiments::run
