#include "mixdist/experiments/vae_mnist/trainer.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "mixdist/experiments/vae_mnist/checkpoint.h"
#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/report.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/clip_grad_norm.h"
#include "mixdist/train/metrics_table.h"
#include "mixdist/train/progress.h"
#include "mixdist/train/stop_signal.h"

namespace mixdist::experiments::vae {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

void make_dirs(const std::string& path) {
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty() || exists(prefix)) continue;
    TORCH_CHECK(::mkdir(prefix.c_str(), 0755) == 0 || errno == EEXIST, "cannot create folder ", prefix, ": ",
                std::strerror(errno));
  }
}

nlohmann::ordered_json metrics_json(const EvalMetrics& m) {
  nlohmann::ordered_json j;
  const auto& names = eval_metric_names();
  const auto values = eval_metric_values(m);
  for (size_t i = 0; i < names.size(); ++i) j[names[i]] = values[i];
  j["images"] = m.images;
  j["is_samples"] = m.is_samples;
  return j;
}

std::string describe(const EvalMetrics& m) {
  return fmt::format(
      "NLL {:.2f}  ELBO {:.2f}  D {:.2f}  R {:.2f} (R_F {:.2f}, R_Y|f {:.2f}, R_Z {:.2f})  support {:.2f}",
      m.nll, m.elbo, m.distortion, m.rate, m.rate_face, m.rate_within, m.rate_z, m.support);
}

// Sums of the per-image training terms over an epoch.
struct EpochSums {
  double images = 0, loss = 0, ll = 0, kl_face = 0, kl_within = 0, kl_z = 0, support = 0;

  void add(const LatentTerms& t) {
    const double n = static_cast<double>(t.log_likelihood.size(0));
    images += n;
    const double ll_sum = t.log_likelihood.sum().item<double>(), rate_sum = t.rate().sum().item<double>();
    loss += rate_sum - ll_sum;
    ll += ll_sum;
    kl_face += t.kl_face.sum().item<double>();
    kl_within += t.kl_within.sum().item<double>();
    kl_z += t.kl_z.sum().item<double>();
    support += t.support_size.sum().item<double>();
  }
  double mean(double v) const { return v / std::max(images, 1.0); }
};

// Ctrl-C / SIGTERM request a clean stop while training runs; the previous handlers come back afterwards.
struct StopSignalScope {
  StopSignalScope() { train::StopSignal::install(); }
  ~StopSignalScope() { train::StopSignal::uninstall(); }
};

void set_lr(torch::optim::Adam& opt, double lr) {
  for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

// A resumed run never silently ignores a setting the caller chose: every explicit setting but "epochs" must
// equal the run's, and all that do not are named in one error, each with both values.
void check_resume_settings(const VaeConfig& run, const VaeConfig& requested,
                           const std::map<std::string, std::string>& explicit_settings,
                           const std::string& dir) {
  const nlohmann::json have = nlohmann::json::parse(run.to_json()),
                       want = nlohmann::json::parse(requested.to_json());
  std::string conflicts;
  for (const auto& [key, name] : explicit_settings) {
    TORCH_CHECK(have.contains(key), "train_vae: explicit setting '", key, "' (", name,
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
bool summary_is_current(const std::string& path, const TrainingState& state) {
  if (!exists(path)) return false;
  try {
    const nlohmann::json j = nlohmann::json::parse(io::read_file(path));
    return j.value("epochs", int64_t{-1}) == state.epoch && j.value("steps", int64_t{-1}) == state.step;
  } catch (const nlohmann::json::exception&) {
    return false;
  } catch (const c10::Error&) {
    return false;
  }
}

}  // namespace

const std::vector<std::string>& metrics_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> c = {"epoch",   "step",      "seconds",           "train_loss", "train_D",
                                  "train_R", "train_R_F", "train_R_Y_given_f", "train_R_Z",  "train_support"};
    for (const auto& name : eval_metric_names()) c.push_back("valid_" + name);
    return c;
  }();
  return columns;
}

VaeConfig load_run_config(const std::string& run_dir) {
  const std::string path = run_dir + "/config.json";
  TORCH_CHECK(exists(run_dir), "run folder ", run_dir, " does not exist");
  TORCH_CHECK(exists(path), "run folder ", run_dir,
              " has no config.json: not a mixdist run (or never started)");
  try {
    return VaeConfig::from_json(io::read_file(path));
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, path, ": ", e.what_without_backtrace());
  }
}

TrainResult train_vae(const VaeConfig& requested, const TrainOptions& options) {
  TORCH_CHECK(!options.run_dir.empty(), "train_vae: run_dir must not be empty");
  TORCH_CHECK(options.log != nullptr, "train_vae: log stream must not be null");
  std::ostream& log = *options.log;
  const std::string dir = options.run_dir;
  const std::string config_path = dir + "/config.json", last_path = dir + "/ckpt.last",
                    best_path = dir + "/ckpt.best", metrics_path = dir + "/metrics.csv",
                    summary_path = dir + "/summary.json";

  VaeConfig config = requested;
  if (options.resume) {
    config = load_run_config(dir);
    TORCH_CHECK(config.latent == requested.latent, "run folder ", dir, " was trained with latent '",
                latent_name(config.latent), "', not '", latent_name(requested.latent), "'");
    check_resume_settings(config, requested, options.explicit_settings, dir);
  } else {
    config.validate();
    TORCH_CHECK(!exists(config_path), "run folder ", dir,
                " already holds a run; pass --resume to continue it, or choose another --out");
  }
  // Data first: a missing data set must not leave behind a run folder that then asks for --resume.
  const VaeData data = load_vae_data(config);
  if (!options.resume) {
    make_dirs(dir);
    io::write_file_atomically(config_path, config.to_json());
  }
  at::manual_seed(static_cast<uint64_t>(config.seed));
  VaeModel model(config);
  Optimizers opt{train::FusedAdam(model->decoder()->parameters(), torch::optim::AdamOptions(config.gen_lr)),
                 train::FusedAdam(model->encoder()->parameters(),
                                  torch::optim::AdamOptions(config.inf_lr).weight_decay(config.inf_l2))};
  const std::vector<at::Tensor> all_params = model->parameters();

  TrainingState state;
  // A run stopped before its first epoch completed has no checkpoint: nothing to restore, and starting over
  // is the same run.
  const bool restored = options.resume && exists(last_path);
  if (restored) state = load_checkpoint(last_path, config, *model, opt);
  TrainResult result;

  const auto epochs_setting = options.explicit_settings.find("epochs");
  if (options.resume && epochs_setting != options.explicit_settings.end() &&
      requested.epochs != config.epochs) {
    TORCH_CHECK(requested.epochs >= state.epoch, "cannot resume ", dir, " with ", epochs_setting->second, " ",
                requested.epochs, ": it has already completed epoch ", state.epoch, " of ", config.epochs,
                "; the planned epochs can be lowered to ", state.epoch, " at the least");
    VaeConfig changed = config;
    changed.epochs = requested.epochs;
    changed.validate();
    io::write_file_atomically(config_path, changed.to_json());
    log << fmt::format("{}: planned epochs {} -> {} (config.json updated)\n", dir, config.epochs,
                       changed.epochs);
    config = changed;
  }
  if (options.resume && state.epoch >= config.epochs && summary_is_current(summary_path, state)) {
    log << fmt::format(
        "nothing to do: {} has completed all its epochs ({}) and been evaluated (summary.json); "
        "resume with a larger --epochs to train it further\n",
        dir, config.epochs);
    result.epochs_completed = state.epoch;
    result.steps = state.step;
    result.finished = true;
    result.summary_path = summary_path;
    return result;
  }
  if (restored)
    log << fmt::format("resuming {} from epoch {} of {} (step {})\n", dir, state.epoch, config.epochs,
                       state.step);
  else if (options.resume)
    log << fmt::format("{} has no completed epoch yet; starting from the beginning\n", dir);
  train::MetricsTable table(metrics_columns());
  for (const auto& row : state.metrics_rows) table.append(row);
  const size_t valid_nll_column = table.column_index("valid_nll");

  const StopSignalScope stop_signal_scope;
  const int64_t n = data.train.size(0), B = config.batch_size;
  const int64_t steps_per_epoch = (n + B - 1) / B;
  double train_seconds = 0;
  for (const auto& row : state.metrics_rows) train_seconds += row[2];

  while (state.epoch < config.epochs) {
    if (options.stop_after_epoch >= 0 && state.epoch >= options.stop_after_epoch) break;
    const int64_t epoch = state.epoch + 1;
    model->train();
    train::ProgressBar bar(train::ProgressOptions()
                               .label(fmt::format("epoch {}/{}", epoch, config.epochs))
                               .total_steps(steps_per_epoch)
                               .interactive(options.interactive)
                               .stream(options.log));
    const auto start = Clock::now();
    const at::Tensor order = at::randperm(n, at::kLong);
    EpochSums sums;
    int64_t step = state.step;
    for (int64_t s = 0; s < steps_per_epoch; ++s) {
      if (train::StopSignal::requested()) {
        log << fmt::format("\nstopped during epoch {}; its {} steps are dropped. Resume with --resume.\n",
                           epoch, s);
        result.epochs_completed = state.epoch;
        result.steps = state.step;
        return result;
      }
      const at::Tensor x =
          binarize(data.train.index_select(0, order.slice(0, s * B, std::min(n, (s + 1) * B))));
      // Linear warm-up from 0 (get_constant_schedule_with_warmup): the first step has lr 0.
      const double warm =
          config.warmup_steps > 0 ? std::min(1.0, double(step) / double(config.warmup_steps)) : 1.0;
      set_lr(opt.generator, config.gen_lr * warm);
      set_lr(opt.inference, config.inf_lr * warm);
      const Objective o = model->objective(x);
      opt.generator.clear_grad();
      opt.inference.clear_grad();
      o.loss.backward();
      train::clip_grad_norm(all_params, config.grad_clip);
      opt.inference.step();
      opt.generator.step();
      ++step;
      sums.add(o.terms);
      TORCH_CHECK(std::isfinite(sums.loss), "training diverged at epoch ", epoch, " step ", step,
                  ": the loss is not finite");
      bar.update(s + 1, sums.mean(sums.loss));
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    train_seconds += seconds;

    std::vector<double> row = {double(epoch),
                               double(step),
                               seconds,
                               sums.mean(sums.loss),
                               -sums.mean(sums.ll),
                               sums.mean(sums.kl_face + sums.kl_within + sums.kl_z),
                               sums.mean(sums.kl_face),
                               sums.mean(sums.kl_within),
                               sums.mean(sums.kl_z),
                               sums.mean(sums.support)};
    const bool validate =
        epoch == config.epochs || (config.validate_every > 0 && epoch % config.validate_every == 0);
    std::string summary = fmt::format("train -ELBO {:.2f}", sums.mean(sums.loss));
    if (validate) {
      const EvalMetrics v = evaluate(*model, data.valid, config, config.valid_is_samples);
      for (double value : eval_metric_values(v)) row.push_back(value);
      summary += fmt::format(", valid NLL {:.2f} (IS {})", v.nll, config.valid_is_samples);
    } else {
      row.insert(row.end(), eval_metric_names().size(), kNaN);
    }
    bar.finish(summary);

    const double valid_nll = row[valid_nll_column];
    const bool best = validate && valid_nll < state.best_valid_nll;
    if (best) state.best_valid_nll = valid_nll;
    state.epoch = epoch;
    state.step = step;
    state.metrics_rows.push_back(row);
    table.append(row);
    // Checkpoint first: it carries the metric rows too, so a crash between the two writes loses nothing.
    save_checkpoint(last_path, config, *model, opt, state);
    if (best) save_checkpoint(best_path, config, *model, opt, state);
    table.save(metrics_path);
  }
  result.epochs_completed = state.epoch;
  result.steps = state.step;
  result.finished = state.epoch >= config.epochs;
  if (!result.finished) {
    log << fmt::format("stopped after epoch {} of {}; resume with --resume\n", state.epoch, config.epochs);
    return result;
  }
  // The last epoch is always validated. Its row lacks validation only when a resumed run's planned epochs
  // were lowered to those it had completed: validate it now, as a run planned that way from the start did
  // (the evaluation leaves the RNG state alone, so the checkpoints stay those of that run).
  if (!state.metrics_rows.empty() && std::isnan(state.metrics_rows.back()[valid_nll_column])) {
    std::vector<double>& row = state.metrics_rows.back();
    const EvalMetrics v = evaluate(*model, data.valid, config, config.valid_is_samples);
    const std::vector<double> values = eval_metric_values(v);
    std::copy(values.begin(), values.end(), row.end() - static_cast<std::ptrdiff_t>(values.size()));
    log << fmt::format("epoch {} is now the last: valid NLL {:.2f} (IS {})\n", state.epoch, v.nll,
                       config.valid_is_samples);
    const bool best = v.nll < state.best_valid_nll;
    if (best) state.best_valid_nll = v.nll;
    table.truncate(table.num_rows() - 1);
    table.append(row);
    save_checkpoint(last_path, config, *model, opt, state);
    if (best) save_checkpoint(best_path, config, *model, opt, state);
    table.save(metrics_path);
  }
  if (!options.final_evaluation) return result;

  // The paper reports ckpt.last (EXPERIMENTS.md §4.6), which is the model in memory now.
  log << fmt::format("final evaluation of ckpt.last with {} importance samples\n", config.final_is_samples);
  const auto eval_start = Clock::now();
  const EvalMetrics valid = evaluate(*model, data.valid, config, config.final_is_samples);
  log << "  valid: " << describe(valid) << "\n";
  const EvalMetrics test = evaluate(*model, data.test, config, config.final_is_samples);
  log << "  test:  " << describe(test) << "\n";
  const double eval_seconds = std::chrono::duration<double>(Clock::now() - eval_start).count();

  nlohmann::ordered_json j;
  j["experiment"] = config.experiment;
  j["latent"] = latent_name(config.latent);
  j["preset"] = config.preset;
  j["seed"] = config.seed;
  j["epochs"] = state.epoch;
  j["steps"] = state.step;
  j["checkpoint"] = "last";
  j["valid"] = metrics_json(valid);
  j["test"] = metrics_json(test);
  j["best_valid_nll"] =
      std::isfinite(state.best_valid_nll) ? nlohmann::json(state.best_valid_nll) : nlohmann::json();
  j["train_seconds"] = train_seconds;
  j["train_steps_per_second"] = train_seconds > 0 ? double(state.step) / train_seconds : 0.0;
  j["final_eval_seconds"] = eval_seconds;
  io::write_file_atomically(summary_path, j.dump(2) + "\n");
  result.summary_path = summary_path;
  if (options.figures) {
    const ReportFiles files =
        write_report_figures(*model, config, data.test, table.columns(), table.rows(), dir);
    for (const auto& f : files.written) log << "  wrote " << f << "\n";
  }
  log << "  wrote " << summary_path << "\n";
  return result;
}

RunEvaluation evaluate_run(const std::string& run_dir, const std::string& split,
                           const std::string& checkpoint, int64_t is_samples, std::ostream* log) {
  TORCH_CHECK(split == "valid" || split == "test", "split must be 'valid' or 'test', got '", split, "'");
  TORCH_CHECK(checkpoint == "last" || checkpoint == "best", "checkpoint must be 'last' or 'best', got '",
              checkpoint, "'");
  TORCH_CHECK(is_samples >= 1, "is_samples must be >= 1, got ", is_samples);
  const VaeConfig config = load_run_config(run_dir);
  VaeModel model(config);
  load_model(run_dir + "/ckpt." + checkpoint, config, *model);
  const VaeData data = load_vae_data(config);
  RunEvaluation r;
  r.metrics = evaluate(*model, split_images(data, split), config, is_samples);
  r.split = split;
  r.checkpoint = checkpoint;
  r.output_path = fmt::format("{}/eval_{}_{}_{}.json", run_dir, split, checkpoint, is_samples);
  nlohmann::ordered_json j;
  j["latent"] = latent_name(config.latent);
  j["seed"] = config.seed;
  j["split"] = split;
  j["checkpoint"] = checkpoint;
  j["metrics"] = metrics_json(r.metrics);
  io::write_file_atomically(r.output_path, j.dump(2) + "\n");
  if (log)
    *log << fmt::format("{} ({} split, ckpt.{}, {} importance samples): {}\n", run_dir, split, checkpoint,
                        is_samples, describe(r.metrics));
  return r;
}

}  // namespace mixdist::experiments::vae
