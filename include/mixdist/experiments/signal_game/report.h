#pragma once

// The pictures of a signal-game run (PNG, written atomically through mixdist/report):
//   learning_curves.png  training and validation success per epoch (when the table has at least two rows);
//   loss_curves.png      training and validation loss per epoch (likewise).

#include <string>
#include <vector>

namespace mixdist::experiments::signal_game {

// metric_columns / metric_rows: the per-epoch table; the curves use "epoch" (x axis; the row number when
// absent), "train_accuracy", "valid_accuracy", "train_loss" and "valid_loss" when present (NaN entries are
// gaps). Returns the paths written, in order.
std::vector<std::string> write_report_figures(const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir);

}  // namespace mixdist::experiments::signal_game
