#pragma once

/// @file
/// @brief The pictures of a finished signal-game run.
///
/// The pictures of a signal-game run (PNG, written atomically through mixdist/report):
/// @verbatim
///   learning_curves.png  training and validation success per epoch (when the table has at least two rows);
///   loss_curves.png      training and validation loss per epoch (likewise);
///   message_weights.png  a heat map of the message each of a fixed handful of test concepts gets (one row
///                        per concept, one column per symbol, brightness = weight / the largest weight
///                        shown);
///   support_sizes.png    how many symbols the messages of the test games use (share of games per size).
/// @endverbatim

#include <string>
#include <vector>

#include "mixdist/experiments/signal_game/data.h"
#include "mixdist/experiments/signal_game/model.h"

namespace mixdist::experiments::signal_game {

/// Writes the pictures of a run into `run_dir` and returns the paths written, in order.
///
/// Messages are drawn at the model's current temperature with the evaluation's seed (messages_of in
/// evaluation.h), so the generator's state and the model's mode are left as they were.
/// @param model the model to draw.
/// @param data the run's data (the test images and games are used).
/// @param metric_columns the per-epoch table's columns; the curves use "epoch" (x axis; the row number when
///   absent), "train_accuracy", "valid_accuracy", "train_loss" and "valid_loss" when present.
/// @param metric_rows the per-epoch table's rows (NaN entries are gaps).
/// @param run_dir the folder to write into.
/// @throws c10::Error if a picture cannot be written (naming it).
std::vector<std::string> write_report_figures(GameModelImpl& model, const GameData& data,
                                              const std::vector<std::string>& metric_columns,
                                              const std::vector<std::vector<double>>& metric_rows,
                                              const std::string& run_dir);

}  // namespace mixdist::experiments::signal_game
