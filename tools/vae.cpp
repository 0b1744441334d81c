// `mixdist train vae`, `mixdist eval`, `mixdist compare`: the MNIST mixed-latent VAE (EXPERIMENTS.md §4).
#include <fmt/core.h>

#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "commands.h"
#include "mixdist/experiments/vae_mnist/compare.h"
#include "mixdist/experiments/vae_mnist/trainer.h"
#include "mixdist/io/atomic_file.h"
#include "mixdist/train/stop_signal.h"

namespace mixdist::tools {
namespace {

namespace vae = mixdist::experiments::vae;

struct TrainVaeArgs {
  std::string latent, preset = "quick", out, data_dir, face_prior;
  int64_t seed = 0, epochs = 0, validate_every = 0, valid_is_samples = 0, final_is_samples = 0,
          train_size = 0;
  bool resume = false, no_figures = false;
  // The options given on the command line (`given` holds their names): only these override the preset, and
  // with --resume they are checked against the run's config.json.
  std::set<std::string> given;
  bool has(const std::string& option) const { return given.count(option) > 0; }
};

// The settings of config.json that command-line options set, by option name.
struct SettingOption {
  const char* option;
  const char* key;
};
constexpr SettingOption kSettingOptions[] = {
    {"--preset", "preset"},
    {"--seed", "seed"},
    {"--epochs", "epochs"},
    {"--validate-every", "validate_every"},
    {"--valid-is-samples", "valid_is_samples"},
    {"--is-samples", "final_is_samples"},
    {"--train-size", "train_size"},
    {"--face-prior", "face_prior"},
    {"--data-dir", "data_dir"},
};

std::string default_run_name(const vae::VaeConfig& c) {
  return fmt::format("runs/{}-{}-seed{}", c.preset, vae::latent_name(c.latent), c.seed);
}

int run_train_vae(const TrainVaeArgs& a) {
  vae::VaeConfig config = vae::make_preset(vae::parse_latent(a.latent), a.preset);
  if (a.has("--seed")) config.seed = a.seed;
  if (a.has("--epochs")) config.epochs = a.epochs;
  if (a.has("--validate-every")) config.validate_every = a.validate_every;
  if (a.has("--valid-is-samples")) config.valid_is_samples = a.valid_is_samples;
  if (a.has("--is-samples")) config.final_is_samples = a.final_is_samples;
  if (a.has("--train-size")) config.train_size = a.train_size;
  if (a.has("--data-dir")) config.data_dir = a.data_dir;
  if (a.has("--face-prior")) config.face_prior = a.face_prior;
  vae::TrainOptions options;
  options.run_dir = a.out.empty() ? default_run_name(config) : a.out;
  options.resume = a.resume;
  options.figures = !a.no_figures;
  for (const SettingOption& s : kSettingOptions)
    if (a.has(s.option)) options.explicit_settings[s.key] = s.option;
  if (a.resume)
    fmt::print("resuming the {} VAE in {}\n", a.latent, options.run_dir);
  else
    fmt::print("training {} VAE ({} preset, seed {}, {} epochs) -> {}\n", a.latent, config.preset,
               config.seed, config.epochs, options.run_dir);
  std::cout.flush();
  const vae::TrainResult r = vae::train_vae(config, options);
  if (!r.finished) return train::StopSignal::requested() ? 130 : 0;
  return 0;
}

}  // namespace

void register_vae(CLI::App& app, const GlobalOptions& global) {
  CLI::App* train = app.add_subcommand("train", "train an experiment's model");
  train->require_subcommand(1);
  auto args = std::make_shared<TrainVaeArgs>();
  CLI::App* tv = train->add_subcommand("vae", "the MNIST mixed-latent VAE (paper §5.3): six latent types");
  tv->add_option("--latent", args->latent,
                 "gaussian | dirichlet | categorical | gs-st | gaussian-sparsemax | mixed-dirichlet")
      ->required();
  tv->add_option("--preset", args->preset, "quick (10 epochs) or paper (500 epochs, IS 1000)");
  tv->add_option("--seed", args->seed, "random seed (default 10, the paper's first)")
      ->check(CLI::Range(int64_t{0}, std::numeric_limits<int64_t>::max()));
  tv->add_option("--epochs", args->epochs,
                 "override the preset's epochs; with --resume, the run's new planned epochs (extends or "
                 "shortens it, not below the completed ones)");
  tv->add_option("--out", args->out, "run folder (default runs/<preset>-<latent>-seed<seed>)");
  tv->add_flag("--resume", args->resume,
               "continue the run in --out from its last completed epoch, with the settings of its "
               "config.json (other options must agree with them; only --epochs may change)");
  tv->add_option("--validate-every", args->validate_every, "epochs between validations (0: only the last)");
  tv->add_option("--valid-is-samples", args->valid_is_samples,
                 "importance samples of the per-epoch validation");
  tv->add_option("--is-samples", args->final_is_samples, "importance samples of the final evaluation");
  tv->add_option("--train-size", args->train_size, "use only the first N training images");
  tv->add_option("--face-prior", args->face_prior, "authors (default, reproduces the paper) or derived");
  tv->add_option("--data-dir", args->data_dir, "folder holding mnist/ (default: the project's data/)");
  tv->add_flag("--no-figures", args->no_figures, "skip the PNG report");
  tv->callback([args, tv, &global] {
    apply_global_options(global);
    args->given.clear();
    for (const SettingOption& s : kSettingOptions)
      if (tv->count(s.option) > 0) args->given.insert(s.option);
    const int code = run_train_vae(*args);
    if (code != 0) throw CLI::RuntimeError(code);
  });

  struct EvalArgs {
    std::string run_dir, split = "test", checkpoint = "last";
    int64_t is_samples = -1;
  };
  auto eargs = std::make_shared<EvalArgs>();
  CLI::App* ev =
      app.add_subcommand("eval", "evaluate a trained VAE run (importance-sampled NLL, D, R, ELBO)");
  ev->add_option("run", eargs->run_dir, "run folder")->required();
  ev->add_option("--split", eargs->split, "test or valid")->check(CLI::IsMember({"test", "valid"}));
  ev->add_option("--checkpoint", eargs->checkpoint, "last (as the paper) or best")
      ->check(CLI::IsMember({"last", "best"}));
  ev->add_option("--is-samples", eargs->is_samples,
                 "importance samples (default: the run's final_is_samples)");
  ev->callback([eargs, &global] {
    apply_global_options(global);
    const int64_t samples =
        eargs->is_samples > 0 ? eargs->is_samples : vae::load_run_config(eargs->run_dir).final_is_samples;
    const vae::RunEvaluation r = vae::evaluate_run(eargs->run_dir, eargs->split, eargs->checkpoint, samples);
    fmt::print("wrote {}\n", r.output_path);
  });

  struct CompareArgs {
    std::vector<std::string> runs;
    std::string split = "test", out = "runs/comparison";
  };
  auto cargs = std::make_shared<CompareArgs>();
  CLI::App* cmp =
      app.add_subcommand("compare", "side-by-side table of finished VAE runs (mean ± std over seeds)");
  cmp->add_option("runs", cargs->runs, "run folders (e.g. runs/*)")->required();
  cmp->add_option("--split", cargs->split, "test or valid")->check(CLI::IsMember({"test", "valid"}));
  cmp->add_option("--out", cargs->out, "writes <out>.md and <out>.csv");
  cmp->callback([cargs] {
    std::vector<vae::RunSummary> runs;
    for (const auto& dir : cargs->runs) {
      // Globs like runs/* also match files (the comparison itself): skip what is not a folder.
      if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir)) continue;
      if (std::filesystem::is_directory(dir) && !std::filesystem::exists(dir + "/summary.json")) {
        fmt::print(stderr, "skipping {}: no summary.json (an unfinished run?)\n", dir);
        continue;
      }
      runs.push_back(vae::read_run_summary(dir, cargs->split));
    }
    if (runs.empty()) throw CLI::ValidationError("runs", "none of the given folders holds a finished run");
    const auto rows = vae::compare_runs(runs);
    const std::string md = vae::comparison_markdown(rows, cargs->split);
    fmt::print("{}", md);
    io::write_file_atomically(cargs->out + ".md", md);
    io::write_file_atomically(cargs->out + ".csv", vae::comparison_csv(rows));
    fmt::print("wrote {}.md and {}.csv\n", cargs->out, cargs->out);
  });
}

}  // namespace mixdist::tools
