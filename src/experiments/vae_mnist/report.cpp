#include "mixdist/experiments/vae_mnist/report.h"

#include <cmath>

#include "mixdist/experiments/vae_mnist/data.h"
#include "mixdist/experiments/vae_mnist/evaluation.h"
#include "mixdist/report/figures.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::vae_mnist {
namespace {

constexpr int64_t kSide = 28;
constexpr int64_t kPairsPerRow = 10;
constexpr int64_t kReconstructionRows = 4;  // pairs of rows: originals, then their reconstructions
constexpr int64_t kPriorSamples = 100;
constexpr int64_t kHistogramSamples = 10000;

std::vector<double> column(const std::vector<std::string>& columns,
                           const std::vector<std::vector<double>>& rows, const std::string& name) {
  std::vector<double> out;
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c] != name) continue;
    for (const auto& r : rows) out.push_back(r[c]);
  }
  return out;
}

}  // namespace

std::vector<double> support_size_histogram(const at::Tensor& latents) {
  TORCH_CHECK(latents.dim() == 2 && latents.size(0) >= 1,
              "support_size_histogram: latents must be [N >= 1, L], got ", latents.sizes());
  const int64_t L = latents.size(1);
  const at::Tensor sizes = latents.gt(0).sum(-1);
  const at::Tensor counts =
      at::bincount(sizes, {}, L + 1).to(at::kDouble) / static_cast<double>(latents.size(0));
  std::vector<double> h(L);
  for (int64_t n = 1; n <= L; ++n) h[n - 1] = counts[n].item<double>();
  return h;
}

ReportFiles write_report_figures(VaeModelImpl& model, const VaeConfig& config, const at::Tensor& grey_test,
                                 const std::vector<std::string>& metric_columns,
                                 const std::vector<std::vector<double>>& metric_rows,
                                 const std::string& run_dir) {
  ReportFiles files;
  const bool was_training = model.is_training();
  model.eval();
  train::GlobalRngStateGuard rng_guard;  // pictures must not change the training stream of a resumed run
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;

  // Reconstructions: rows alternate between binarised test images and the decoder's means for one posterior
  // sample of each.
  const int64_t n = std::min<int64_t>(grey_test.size(0), kPairsPerRow * kReconstructionRows);
  const at::Tensor x = binarize(grey_test.slice(0, 0, n));
  const at::Tensor recon = model.decode_mean(model.posterior_sample(x));
  std::vector<at::Tensor> rows;
  for (int64_t begin = 0; begin < n; begin += kPairsPerRow) {
    const int64_t end = std::min(n, begin + kPairsPerRow);
    rows.push_back(x.slice(0, begin, end));
    rows.push_back(recon.slice(0, begin, end));
  }
  const std::string recon_path = run_dir + "/reconstructions.png";
  report::save_image_grid(
      at::cat(rows).view({-1, kSide, kSide}), recon_path,
      report::ImageGridOptions()
          .columns(kPairsPerRow)
          .title("test images (odd rows) and reconstructions (even rows): " + latent_name(config.latent)));
  files.written.push_back(recon_path);

  const at::Tensor prior = model.latent().prior_samples(kPriorSamples).to(at::kFloat);
  const std::string prior_path = run_dir + "/prior_samples.png";
  report::save_image_grid(model.decode_mean(prior).view({-1, kSide, kSide}), prior_path,
                          report::ImageGridOptions().columns(10).title(
                              "samples from the prior (Bernoulli means): " + latent_name(config.latent)));
  files.written.push_back(prior_path);

  if (model.latent().is_mixed()) {
    const int64_t m = std::min<int64_t>(grey_test.size(0), kHistogramSamples);
    std::vector<at::Tensor> posterior;
    for (int64_t begin = 0; begin < m; begin += config.eval_batch_size)
      posterior.push_back(model.posterior_sample(
          binarize(grey_test.slice(0, begin, std::min(m, begin + config.eval_batch_size)))));
    std::vector<std::string> categories;
    for (int64_t k = 1; k <= config.latent_dim; ++k) categories.push_back(std::to_string(k));
    const std::string hist_path = run_dir + "/face_sizes.png";
    report::save_bar_chart(
        categories,
        {{"posterior (test images)", support_size_histogram(at::cat(posterior))},
         {"prior", support_size_histogram(model.latent().prior_samples(kHistogramSamples))}},
        hist_path,
        report::BarChartOptions()
            .title("face sizes of the latent: " + latent_name(config.latent))
            .x_label("face size (nonzero coordinates)")
            .y_label("frequency"));
    files.written.push_back(hist_path);
  }

  const std::vector<double> epochs = column(metric_columns, metric_rows, "epoch");
  if (epochs.size() >= 2) {
    std::vector<report::LineSeries> series = {
        {"train -ELBO", column(metric_columns, metric_rows, "train_loss")}};
    std::vector<double> valid = column(metric_columns, metric_rows, "valid_nll");
    bool any_valid = false;
    for (double v : valid) any_valid = any_valid || std::isfinite(v);
    if (any_valid) series.push_back({"valid NLL (IS)", valid});
    const std::string curve_path = run_dir + "/learning_curves.png";
    report::save_line_chart(epochs, series, curve_path,
                            report::LineChartOptions()
                                .title("learning curves: " + latent_name(config.latent))
                                .x_label("epoch")
                                .y_label("nats per image"));
    files.written.push_back(curve_path);
  }
  if (was_training) model.train();
  return files;
}

}  // namespace mixdist::experiments::vae_mnist
