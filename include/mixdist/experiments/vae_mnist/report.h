#pragma once

// The pictures of a VAE run (PNG, written atomically): test images above their reconstructions, decoded
// prior samples, the learning curves, and for the mixed latents the histogram of face sizes (support sizes of
// the latent: how sparse the codes are) under the posterior and the prior.

#include <string>
#include <vector>

#include "mixdist/experiments/vae_mnist/vae.h"

namespace mixdist::experiments::vae_mnist {

struct ReportFiles {
  std::vector<std::string> written;  // paths, in the order written
};

// grey_test: [N, 784] test images in [0, 1]; metrics columns/rows: the per-epoch table (for the curves).
ReportFiles write_report_figures(VaeModelImpl& model, const VaeConfig& config, const at::Tensor& grey_test,
                                 const std::vector<std::string>& metric_columns,
                                 const std::vector<std::vector<double>>& metric_rows,
                                 const std::string& run_dir);

// Frequencies of support sizes 1..L of latents [N, L] (nonzero coordinates per row), summing to 1.
std::vector<double> support_size_histogram(const at::Tensor& latents);

}  // namespace mixdist::experiments::vae_mnist
