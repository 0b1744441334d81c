#include "mixdist/experiments/signal_game/report.h"

#include <cmath>

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

std::vector<std::string> write_report_figures(const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir) {
  std::vector<std::string> written;
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
                                .title("signal game")
                                .x_label("epoch (validation round)")
                                .y_label(chart.y_label)
                                .connect_gaps(true));
    written.push_back(path);
  }
  return written;
}

}  // namespace mixdist::experiments::signal_game
