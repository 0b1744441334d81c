// `mixdist train <experiment>`, `mixdist eval RUN`, `mixdist compare RUNS...`: the commands of the shared
// run layer, for every experiment of the registry.
#include <fmt/core.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "mixdist/distributed/broadcast.h"
#include "mixdist/experiments/registry.h"
#include "mixdist/experiments/run/compare.h"
#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/experiments/run/trainer.h"
#include "mixdist/io/atomic_file.h"
#include "train_command.h"

namespace mixdist::tools {
namespace {

namespace run = mixdist::experiments::run;
using mixdist::experiments::all_experiments;

void register_eval(CLI::App& app, const GlobalOptions& global) {
  struct EvalArgs {
    std::string run_dir, split = "test", checkpoint = "last";
    int64_t is_samples = 0;
  };
  auto args = std::make_shared<EvalArgs>();
  CLI::App* ev = app.add_subcommand(
      "eval", "evaluate a trained run of any experiment (e.g. the VAEs' importance-sampled NLL, D, R, ELBO)");
  ev->add_option("run", args->run_dir, "run folder")->required();
  ev->add_option("--split", args->split, "test or valid")->check(CLI::IsMember({"test", "valid"}));
  ev->add_option("--checkpoint", args->checkpoint, "last or best")->check(CLI::IsMember({"last", "best"}));
  ev->add_option("--is-samples", args->is_samples, "importance samples (default: the run's final number)")
      ->check(count_validator(kMaxImportanceSamples, /*allow_zero=*/false));
  ev->callback([args, &global] {
    apply_global_options(global);
    const auto group = join_job(global);
    const bool speaks = !group || group->rank() == 0;
    // Only rank 0 needs the run folder: it names the experiment for the others.
    std::string name = speaks ? run::experiment_name(run::read_run_config(args->run_dir)) : std::string();
    if (group) name = distributed::broadcast_string(*group, name, 0, "the experiment's name");
    const run::ExperimentInfo& info = run::find_experiment(all_experiments(), name);
    const run::RunEvaluation r =
        run::evaluate_run(info, args->run_dir, args->split, args->checkpoint, args->is_samples,
                          speaks ? &std::cout : nullptr, group.get());
    if (!speaks) return;
    fmt::print("wrote {}\n", r.output_path);
    for (const auto& f : r.evaluation_logs) fmt::print("wrote {}\n", f);
  });
}

void register_compare(CLI::App& app) {
  struct CompareArgs {
    std::vector<std::string> runs;
    std::string split = "test", out = "runs/comparison";
  };
  auto args = std::make_shared<CompareArgs>();
  CLI::App* cmp = app.add_subcommand(
      "compare", "side-by-side tables of finished runs, one per experiment (mean and spread over seeds)");
  cmp->add_option("runs", args->runs, "run folders (e.g. runs/*)")->required();
  cmp->add_option("--split", args->split, "test or valid")->check(CLI::IsMember({"test", "valid"}));
  cmp->add_option("--out", args->out, "writes <out>.md and <out>.csv");
  cmp->callback([args] {
    std::vector<run::RunSummary> runs;
    for (const auto& dir : args->runs) {
      // Globs like runs/* also match files (the comparison itself): skip what is not a folder.
      if (std::filesystem::exists(dir) && !std::filesystem::is_directory(dir)) continue;
      if (!std::filesystem::exists(dir)) {
        fmt::print(stderr, "skipping {}: no such folder\n", dir);
        continue;
      }
      if (std::filesystem::is_directory(dir) && !std::filesystem::exists(dir + "/summary.json")) {
        fmt::print(stderr, "skipping {}: no summary.json (an unfinished run?)\n", dir);
        continue;
      }
      runs.push_back(run::read_run_summary(all_experiments(), dir, args->split));
    }
    if (runs.empty()) throw CLI::ValidationError("runs", "none of the given folders holds a finished run");
    const auto rows = run::compare_runs(all_experiments(), runs);
    const std::string md = run::comparison_markdown(all_experiments(), rows, args->split);
    fmt::print("{}", md);
    const std::filesystem::path parent = std::filesystem::path(args->out).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    io::write_file_atomically(args->out + ".md", md);
    io::write_file_atomically(args->out + ".csv", run::comparison_csv(all_experiments(), rows));
    fmt::print("wrote {}.md and {}.csv\n", args->out, args->out);
  });
}

}  // namespace

void register_run_commands(CLI::App& app, const GlobalOptions& global) {
  CLI::App* train = app.add_subcommand("train", "train an experiment's model");
  train->require_subcommand(1);
  register_train_vae(*train, global);
  register_train_bitvae(*train, global);
  register_train_game(*train, global);
  register_eval(app, global);
  register_compare(app);
}

}  // namespace mixdist::tools
