#pragma once

/// @file
/// @brief A per-epoch metrics table with a fixed column schema, saved as CSV that reads back bit for bit.
///
/// A per-epoch metrics table with a fixed column schema, kept in memory and saved as CSV.
///
/// The CSV is a header line of column names followed by one line per row; numbers are written in the shortest
/// form that reads back to the identical double (std::to_chars), so load(save(t)) == t bit for bit, including
/// -0, subnormals, inf and nan. Column names may not contain ',', '"', or line breaks, so no quoting is
/// needed.

#include <cstddef>
#include <string>
#include <vector>

namespace mixdist::train {

/// Rows of doubles under fixed, named columns; saved as CSV (atomically) and loaded back exactly.
///
/// @code
/// mixdist::train::MetricsTable table({"epoch", "train_loss"});
/// table.append({1, 104.2});
/// table.save("run/metrics.csv");
/// @endcode
class MetricsTable {
 public:
  /// An empty table with the given columns.
  /// @param columns the column names: at least one, unique, non-empty, without ',', '"', CR or LF.
  /// @throws c10::Error if `columns` is empty, has a duplicate or an empty name, or a name with a comma, a
  ///         quote or a line break.
  explicit MetricsTable(std::vector<std::string> columns);

  /// The column names, in order.
  /// @return the names given to the constructor.
  const std::vector<std::string>& columns() const { return columns_; }
  /// The number of rows.
  /// @return rows().size().
  size_t num_rows() const { return rows_.size(); }
  /// All rows, each with one value per column.
  /// @return the rows in the order they were appended.
  const std::vector<std::vector<double>>& rows() const { return rows_; }

  /// Appends a row.
  /// @param row one value per column (any double, NaN and inf included).
  /// @throws c10::Error if its size differs from the number of columns.
  void append(const std::vector<double>& row);
  /// The index of a column.
  /// @param column a column name.
  /// @return its index in columns().
  /// @throws c10::Error listing the columns if there is none of that name.
  size_t column_index(const std::string& column) const;
  /// The value in row `row` of `column`.
  /// @param row    0-based row index, < num_rows().
  /// @param column a column name.
  /// @return the value.
  /// @throws c10::Error for an unknown column or a row out of range.
  double value(size_t row, const std::string& column) const;
  /// Keeps the first `num_rows` rows, e.g. to drop epochs logged after the checkpoint a run resumes from.
  /// @param num_rows rows to keep, <= the current number of rows.
  /// @throws c10::Error if the table has fewer rows.
  void truncate(size_t num_rows);

  /// The table as CSV text: the header line, then one line per row (shortest round-trip numbers).
  /// @return the CSV text, each line ending in a newline.
  std::string to_csv() const;
  /// Writes to_csv() to `path` atomically (io::write_file_atomically).
  /// @param path the CSV file to write.
  /// @throws c10::Error naming `path` if writing fails.
  void save(const std::string& path) const;
  /// Reads a table that save() wrote.
  /// @param path             the CSV file.
  /// @param expected_columns the columns the header must hold, in order.
  /// @return the table.
  /// @throws c10::Error naming `path` if the file cannot be read, if its header is not exactly
  ///         `expected_columns` (the message lists both), or if a line has the wrong number of fields or a
  ///         field that is not a number (the message names the line and column).
  static MetricsTable load(const std::string& path, const std::vector<std::string>& expected_columns);
  /// The same as load(), from CSV text.
  /// @param csv              the CSV text.
  /// @param expected_columns the columns the header must hold, in order.
  /// @param source           names the text in error messages.
  /// @return the table.
  /// @throws c10::Error as load(), naming `source`.
  static MetricsTable from_csv(const std::string& csv, const std::vector<std::string>& expected_columns,
                               const std::string& source = "<csv text>");

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

}  // namespace mixdist::train
