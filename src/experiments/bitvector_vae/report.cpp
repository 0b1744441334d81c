#include "mixdist/experiments/bitvector_vae/report.h"

#include <algorithm>
#include <cmath>

#include "experiments/bitvector_vae/eval_mode_guard.h"
#include "mixdist/report/figures.h"
#include "mixdist/train/rng_state.h"

namespace mixdist::experiments::bitvector_vae {
namespace {

constexpr int64_t kSide = 28;
constexpr int64_t kPairsPerRow = 10;
constexpr int64_t kReconstructionRows = 4;  // pairs of rows: originals, then their reconstructions
constexpr int64_t kPriorSamples = 100;
constexpr int64_t kBitValueImages = 10000;

// The column's values, or an empty vector when the table has no such column.
std::vector<double> column(const std::vector<std::string>& columns,
                           const std::vector<std::vector<double>>& rows, const std::string& name) {
  std::vector<double> out;
  const auto it = std::find(columns.begin(), columns.end(), name);
  if (it == columns.end()) return out;
  const size_t c = static_cast<size_t>(it - columns.begin());
  for (const auto& r : rows) {
    TORCH_CHECK(c < r.size(), "write_report_figures: a metrics row has ", r.size(),
                " values, fewer than the ", columns.size(), " columns");
    out.push_back(r[c]);
  }
  return out;
}

bool any_finite(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

at::Tensor as_grey(const at::Tensor& images_u8) {
  return images_u8.to(at::kFloat).div(255.0);
}

}  // namespace

std::vector<double> bit_value_counts(const at::Tensor& codes) {
  TORCH_CHECK(codes.dim() == 2 && codes.size(0) >= 1, "bit_value_counts: codes must be [N >= 1, K], got ",
              codes.sizes());
  const double n = static_cast<double>(codes.size(0));
  const double zeros = codes.eq(0).sum().item<double>() / n;
  const double ones = codes.eq(1).sum().item<double>() / n;
  return {zeros, static_cast<double>(codes.size(1)) - zeros - ones, ones};
}

std::vector<std::string> write_report_figures(BitVaeModelImpl& model, const BitVaeConfig& config,
                                              const at::Tensor& test_u8,
                                              const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir) {
  TORCH_CHECK(test_u8.dim() == 2 && test_u8.size(0) >= 1 && test_u8.size(1) == kImagePixels,
              "write_report_figures: test images must be [N >= 1, ", kImagePixels, "], got ",
              test_u8.sizes());
  std::vector<std::string> written;
  EvalModeGuard eval_mode(model);
  train::GlobalRngStateGuard rng_guard;  // pictures must not change the training stream of a resumed run
  at::manual_seed(static_cast<uint64_t>(config.eval_seed));
  at::NoGradGuard no_grad;
  const std::string name = latent_name(model.config().latent);

  const int64_t n = std::min<int64_t>(test_u8.size(0), kPairsPerRow * kReconstructionRows);
  const at::Tensor x = test_u8.slice(0, 0, n);
  const at::Tensor recon = model.decode_mean(model.posterior_sample(x));
  std::vector<at::Tensor> rows;
  for (int64_t begin = 0; begin < n; begin += kPairsPerRow) {
    const int64_t end = std::min(n, begin + kPairsPerRow);
    rows.push_back(as_grey(x.slice(0, begin, end)));
    rows.push_back(recon.slice(0, begin, end));
  }
  const std::string recon_path = run_dir + "/reconstructions.png";
  report::save_image_grid(at::cat(rows).view({-1, kSide, kSide}), recon_path,
                          report::ImageGridOptions()
                              .columns(kPairsPerRow)
                              .title("test images (odd rows) and reconstructions (even rows): " + name));
  written.push_back(recon_path);

  const std::string prior_path = run_dir + "/prior_samples.png";
  report::save_image_grid(
      model.decode_mean(model.prior_sample(kPriorSamples)).view({-1, kSide, kSide}), prior_path,
      report::ImageGridOptions().columns(10).title("samples from the prior (means): " + name));
  written.push_back(prior_path);

  if (metric_rows.size() >= 2) {
    std::vector<double> epochs = column(metric_columns, metric_rows, "epoch");
    if (epochs.empty())
      for (size_t i = 0; i < metric_rows.size(); ++i) epochs.push_back(static_cast<double>(i + 1));
    // Nats per image -> bits per pixel, so the three curves share an axis.
    const double per_bpp = 1.0 / (static_cast<double>(kImagePixels) * std::log(2.0));
    std::vector<report::LineSeries> series;
    std::vector<double> train_loss = column(metric_columns, metric_rows, "train_loss");
    for (double& v : train_loss) v = (v - model.log_prior_constant()) * per_bpp;
    std::vector<double> valid_elbo = column(metric_columns, metric_rows, "valid_neg_elbo");
    for (double& v : valid_elbo) v *= per_bpp;
    const std::vector<double> valid_nll = column(metric_columns, metric_rows, "valid_nll_bpp");
    if (any_finite(train_loss)) series.push_back({"train -ELBO", train_loss});
    if (any_finite(valid_elbo)) series.push_back({"valid -ELBO", valid_elbo});
    if (any_finite(valid_nll)) series.push_back({"valid NLL (importance sampled)", valid_nll});
    if (!series.empty()) {
      const std::string curve_path = run_dir + "/learning_curves.png";
      report::save_line_chart(epochs, series, curve_path,
                              report::LineChartOptions()
                                  .title("learning curves: " + name)
                                  .x_label("epoch")
                                  .y_label("bits per pixel")
                                  .connect_gaps(true));
      written.push_back(curve_path);
    }
  }

  const int64_t m = std::min<int64_t>(test_u8.size(0), kBitValueImages);
  std::vector<at::Tensor> codes;
  for (int64_t begin = 0; begin < m; begin += config.eval_batch_size)
    codes.push_back(
        model.posterior_sample(test_u8.slice(0, begin, std::min(m, begin + config.eval_batch_size))));
  const std::string bits_path = run_dir + "/bit_values.png";
  report::save_bar_chart(
      {"exactly 0", "in (0, 1)", "exactly 1"},
      {{"posterior samples (test images)", bit_value_counts(at::cat(codes))}}, bits_path,
      report::BarChartOptions()
          .title("values of the " + std::to_string(model.config().latent_bits) + " latent bits: " + name)
          .x_label("value of a bit")
          .y_label("bits per image"));
  written.push_back(bits_path);
  return written;
}

}  // namespace mixdist::experiments::bitvector_vae
