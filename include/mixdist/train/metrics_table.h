// A per-epoch metrics table with a fixed column schema, kept in memory and saved as CSV.
//
// The CSV is a header line of column names followed by one line per row; numbers are written in the shortest
// form that reads back to the identical double (std::to_chars), so load(save(t)) == t bit for bit, including
// -0, subnormals, inf and nan. Column names may not contain ',', '"', or line breaks, so no quoting is
// needed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace mixdist::train {

class MetricsTable {
 public:
  // Throws c10::Error if `columns` is empty, has a duplicate or an empty name, or a name with ',', '"', '\r'
  // or '\n'.
  explicit MetricsTable(std::vector<std::string> columns);

  const std::vector<std::string>& columns() const { return columns_; }
  size_t num_rows() const { return rows_.size(); }
  const std::vector<std::vector<double>>& rows() const { return rows_; }

  // Appends a row; its size must equal the number of columns (c10::Error otherwise).
  void append(const std::vector<double>& row);
  // Index of `column` in columns(); c10::Error listing the columns if there is none.
  size_t column_index(const std::string& column) const;
  // The value in row `row` (0-based) of `column`; c10::Error for an unknown column or a row out of range.
  double value(size_t row, const std::string& column) const;
  // Keeps the first `num_rows` rows, e.g. to drop epochs logged after the checkpoint a run resumes from.
  // Throws c10::Error if the table has fewer rows.
  void truncate(size_t num_rows);

  std::string to_csv() const;
  // Writes to_csv() to `path` atomically (io::write_file_atomically).
  void save(const std::string& path) const;
  // Reads a table that save() wrote. Throws c10::Error naming `path` if the file cannot be read, if its
  // header is not exactly `expected_columns` (the message lists both), or if a line has the wrong number of
  // fields or a field that is not a number (the message names the line and column).
  static MetricsTable load(const std::string& path, const std::vector<std::string>& expected_columns);
  // The same, from CSV text; `source` names it in error messages.
  static MetricsTable from_csv(const std::string& csv, const std::vector<std::string>& expected_columns,
                               const std::string& source = "<csv text>");

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<double>> rows_;
};

}  // namespace mixdist::train
