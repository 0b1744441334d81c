#pragma once

// Side-by-side comparison of finished VAE runs (runs/*/summary.json): per latent type, mean ± population
// standard deviation over seeds (np.std, as the paper's Summary.ipynb) of NLL, D, R, R_F, R_Y|f, R_Z, ELBO
// and the latent's mean support size, rendered as a Markdown table and a CSV.

#include <string>
#include <vector>

namespace mixdist::experiments::vae {

struct RunSummary {
  std::string run_dir, latent, preset;
  int64_t seed = 0, epochs = 0;
  std::vector<double> values;  // in comparison_metric_names() order
};

struct ComparisonRow {
  std::string latent, preset;
  int64_t runs = 0;
  std::vector<double> mean, stddev;  // in comparison_metric_names() order
};

const std::vector<std::string>& comparison_metric_names();

// Reads run_dir/summary.json (split "valid" or "test"); clear errors for a folder that is not a finished
// VAE run.
RunSummary read_run_summary(const std::string& run_dir, const std::string& split);
// Groups by (latent, preset), in the order of all_latent_types().
std::vector<ComparisonRow> compare_runs(const std::vector<RunSummary>& runs);
std::string comparison_markdown(const std::vector<ComparisonRow>& rows, const std::string& split);
std::string comparison_csv(const std::vector<ComparisonRow>& rows);

}  // namespace mixdist::experiments::vae
