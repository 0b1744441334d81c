#include "mixdist/experiments/signal_game/report.h"

#include <algorithm>
#include <cmath>

#include "mixdist/experiments/signal_game/evaluation.h"
#include "mixdist/report/figures.h"

namespace mixdist::experiments::signal_game {
namespace {

// The values of `name` in every row; empty when the table has no such column.
std::vector<double> column(const std::vector<std::string>& columns,
                           const std::vector<std::vector<double>>& rows, const std::string& name) {
  std::vector<double> values;
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name)
      for (const auto& row : rows) values.push_back(c < row.size() ? row[c] : std::nan(""));
  return values;
}

bool any_finite(const std::vector<double>& v) {
  for (double x : v)
    if (std::isfinite(x)) return true;
  return false;
}

}  // namespace

std::vector<std::string> write_report_figures(GameModelImpl& model, const GameData& data,
                                              const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir) {
  std::vector<std::string> written;
  const GameConfig& config = model.config();
  const std::string name = channel_name(config.channel);

  // One test image of each of ten concepts spread over the pool, the first image of each.
  const int64_t C = data.pool.concepts(), shown = std::min<int64_t>(10, C);
  const at::Tensor concepts = at::arange(shown, at::kLong) * (C / shown);
  const data::Games handful{concepts.unsqueeze(1), at::zeros({shown, 1}, at::kLong),
                            at::zeros({shown}, at::kLong)};
  const at::Tensor weights = messages_of(model, data.pool.test, handful, config);  // [shown, V]
  const std::string heat_path = run_dir + "/message_weights.png";
  report::save_image_grid((weights / weights.max().clamp_min(1e-30)).unsqueeze(0), heat_path,
                          report::ImageGridOptions().columns(1).pixel_scale(3).title(
                              "message weights of " + std::to_string(shown) + " test concepts: " + name));
  written.push_back(heat_path);

  const at::Tensor sizes = messages_of(model, data.pool.test, data.test, config).ne(0).sum(1);
  std::vector<std::string> categories;
  std::vector<double> shares;
  constexpr int64_t kLargest = 10;  // sizes from kLargest up share the last bar
  for (int64_t k = 1; k <= kLargest; ++k) {
    categories.push_back(k < kLargest ? std::to_string(k) : std::to_string(k) + "+");
    const at::Tensor in_bin = k < kLargest ? sizes.eq(k) : sizes.ge(k);
    shares.push_back(100.0 * in_bin.to(at::kDouble).mean().item<double>());
  }
  const std::string sizes_path = run_dir + "/support_sizes.png";
  report::save_bar_chart(categories, {{"test games", shares}}, sizes_path,
                         report::BarChartOptions()
                             .title("symbols per message: " + name)
                             .x_label("nonzero symbols")
                             .y_label("% of games"));
  written.push_back(sizes_path);

  if (metric_rows.size() < 2) return written;
  std::vector<double> epochs = column(metric_columns, metric_rows, "epoch");
  if (epochs.empty())
    for (size_t i = 0; i < metric_rows.size(); ++i) epochs.push_back(static_cast<double>(i + 1));
  const struct {
    const char* file;
    const char* train;
    const char* valid;
    const char* y_label;
  } charts[] = {{"learning_curves.png", "train_accuracy", "valid_accuracy", "success (% of games)"},
                {"loss_curves.png", "train_loss", "valid_loss", "-log p(target)"}};
  for (const auto& chart : charts) {
    std::vector<report::LineSeries> series;
    const std::vector<double> train = column(metric_columns, metric_rows, chart.train);
    const std::vector<double> valid = column(metric_columns, metric_rows, chart.valid);
    if (any_finite(train)) series.push_back({"train (running mean over the epoch)", train});
    if (any_finite(valid)) series.push_back({"validation games", valid});
    if (series.empty()) continue;
    const std::string path = run_dir + "/" + chart.file;
    report::save_line_chart(epochs, series, path,
                            report::LineChartOptions()
                                .title("signal game: " + name)
                                .x_label("epoch (validation round)")
                                .y_label(chart.y_label)
                                .connect_gaps(true));
    written.push_back(path);
  }
  return written;
}

}  // namespace mixdist::experiments::signal_game
