#include "mixdist/train/metrics_table.h"

#include <c10/util/Exception.h>

#include <charconv>
#include <set>

#include "mixdist/io/atomic_file.h"

namespace mixdist::train {
namespace {

std::string bracketed_list(const std::vector<std::string>& names) {
  std::string text = "[";
  for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + names[i];
  return text + "]";
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  for (;;) {
    const size_t end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

// Shortest text that std::from_chars reads back to exactly `value` (locale-independent, unlike printf).
void append_number(std::string& out, double value) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  TORCH_INTERNAL_ASSERT(result.ec == std::errc(), "to_chars cannot fail for a double in 32 chars");
  out.append(text, result.ptr);
}

}  // namespace

MetricsTable::MetricsTable(std::vector<std::string> columns) : columns_(std::move(columns)) {
  TORCH_CHECK(!columns_.empty(), "MetricsTable: columns must not be empty");
  std::set<std::string> seen;
  for (const std::string& name : columns_) {
    TORCH_CHECK(!name.empty(), "MetricsTable: a column name is empty in ", bracketed_list(columns_));
    TORCH_CHECK(name.find_first_of(",\"\r\n") == std::string::npos, "MetricsTable: column name '", name,
                "' contains a comma, quote or line break, which the CSV format does not allow");
    TORCH_CHECK(seen.insert(name).second, "MetricsTable: duplicate column '", name, "' in ",
                bracketed_list(columns_));
  }
}

void MetricsTable::append(const std::vector<double>& row) {
  TORCH_CHECK(row.size() == columns_.size(), "MetricsTable::append: the row has ", row.size(),
              " values, but the table has ", columns_.size(), " columns ", bracketed_list(columns_));
  rows_.push_back(row);
}

size_t MetricsTable::column_index(const std::string& column) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == column) return i;
  TORCH_CHECK(false, "MetricsTable: unknown column '", column, "'; the columns are ",
              bracketed_list(columns_));
}

double MetricsTable::value(size_t row, const std::string& column) const {
  const size_t index = column_index(column);
  TORCH_CHECK(row < rows_.size(), "MetricsTable::value: row ", row, " is out of range (the table has ",
              rows_.size(), " rows)");
  return rows_[row][index];
}

void MetricsTable::truncate(size_t num_rows) {
  TORCH_CHECK(num_rows <= rows_.size(), "MetricsTable::truncate(", num_rows, "): the table has only ",
              rows_.size(), " rows");
  rows_.resize(num_rows);
}

std::string MetricsTable::to_csv() const {
  std::string csv;
  for (size_t i = 0; i < columns_.size(); ++i) csv += (i ? "," : "") + columns_[i];
  csv += '\n';
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) csv += ',';
      append_number(csv, row[i]);
    }
    csv += '\n';
  }
  return csv;
}

void MetricsTable::save(const std::string& path) const {
  io::write_file_atomically(path, to_csv());
}

MetricsTable MetricsTable::load(const std::string& path, const std::vector<std::string>& expected_columns) {
  return from_csv(io::read_file(path), expected_columns, path);
}

MetricsTable MetricsTable::from_csv(const std::string& csv, const std::vector<std::string>& expected_columns,
                                    const std::string& source) {
  MetricsTable table(expected_columns);
  std::vector<std::string> lines = split(csv, '\n');
  if (!lines.empty() && lines.back().empty()) lines.pop_back();  // the final line break
  for (std::string& line : lines)
    if (!line.empty() && line.back() == '\r') line.pop_back();  // tolerate CRLF from other tools
  TORCH_CHECK(!lines.empty(), "MetricsTable::load(", source, "): the file is empty; expected the header ",
              bracketed_list(expected_columns));
  const std::vector<std::string> header = split(lines[0], ',');
  TORCH_CHECK(header == expected_columns, "MetricsTable::load(", source,
              "): the header does not match: expected columns ", bracketed_list(expected_columns), ", found ",
              bracketed_list(header));
  for (size_t l = 1; l < lines.size(); ++l) {
    const std::vector<std::string> fields = split(lines[l], ',');
    TORCH_CHECK(fields.size() == expected_columns.size(), "MetricsTable::load(", source, "): line ", l + 1,
                " has ", fields.size(), " fields, expected ", expected_columns.size(), ": '", lines[l], "'");
    std::vector<double> row(fields.size());
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& field = fields[i];
      const auto result = std::from_chars(field.data(), field.data() + field.size(), row[i]);
      TORCH_CHECK(!field.empty() && result.ec == std::errc() && result.ptr == field.data() + field.size(),
                  "MetricsTable::load(", source, "): line ", l + 1, ", column '", expected_columns[i], "': '",
                  field, "' is not a number");
    }
    table.rows_.push_back(std::move(row));
  }
  return table;
}

}  // namespace mixdist::train
