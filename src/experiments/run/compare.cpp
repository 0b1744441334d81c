#include "mixdist/experiments/run/compare.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "mixdist/experiments/run/config_json.h"
#include "mixdist/experiments/run/run_folder.h"
#include "mixdist/io/atomic_file.h"

namespace mixdist::experiments::run {
namespace {

size_t rank_of(const std::vector<std::string>& order, const std::string& value) {
  return static_cast<size_t>(std::find(order.begin(), order.end(), value) - order.begin());
}

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled ("sgd (epochs 4, mode
// other)" is one field, not two).
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (char c : value) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

size_t experiment_rank(const std::vector<ExperimentInfo>& experiments, const std::string& name) {
  for (size_t i = 0; i < experiments.size(); ++i)
    if (experiments[i].name == name) return i;
  return experiments.size();
}

const char* spread_name(ExperimentInfo::Spread spread) {
  return spread == ExperimentInfo::Spread::kStandardError ? "standard error" : "std";
}

// Population std (np.std) or the standard error of the mean (sample std over sqrt(n); 0 for one run).
double spread_of(const std::vector<double>& values, double mean, ExperimentInfo::Spread spread) {
  double ss = 0;
  for (double v : values) ss += (v - mean) * (v - mean);
  const double n = static_cast<double>(values.size());
  if (spread == ExperimentInfo::Spread::kPopulationStd) return std::sqrt(ss / n);
  return n > 1 ? std::sqrt(ss / (n - 1)) / std::sqrt(n) : 0.0;
}

// Settings that do not make runs different: the seed (what is averaged over) and where the data lives.
bool averaged_over(const std::string& key) {
  return key == "seed" || key == "data_dir";
}

std::map<std::string, std::string> run_settings(const std::string& run_dir, const ExperimentInfo& info) {
  std::map<std::string, std::string> settings;
  if (!path_exists(run_dir + "/config.json")) return settings;
  const nlohmann::json config = read_run_config(run_dir);  // named: items() does not own it
  for (const auto& [key, value] : config.items()) {
    if (averaged_over(key) || key == "experiment" || key == "preset" || key == info.variant_key) continue;
    bool distinguishing = false;  // already part of the variant's name
    for (const auto& setting : info.distinguishing_settings) distinguishing |= setting.key == key;
    if (!distinguishing) settings[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return settings;
}

// Splits the runs of one (experiment, variant, preset) by every setting in which they differ, and names each
// part by those settings' values.
std::vector<std::pair<std::string, std::vector<const RunSummary*>>> split_by_settings(
    const std::vector<const RunSummary*>& runs) {
  std::set<std::string> differing;
  for (const auto* r : runs)
    for (const auto* other : runs) {
      for (const auto& [key, value] : r->settings) {
        const auto it = other->settings.find(key);
        if (it == other->settings.end() || it->second != value) differing.insert(key);
      }
    }
  std::map<std::string, std::vector<const RunSummary*>> parts;
  for (const auto* r : runs) {
    std::string label;
    for (const auto& key : differing) {
      const auto it = r->settings.find(key);
      label +=
          fmt::format("{}{} {}", label.empty() ? "" : ", ", key, it == r->settings.end() ? "-" : it->second);
    }
    parts[label].push_back(r);
  }
  return {parts.begin(), parts.end()};
}

}  // namespace

const ExperimentInfo& find_experiment(const std::vector<ExperimentInfo>& experiments,
                                      const std::string& name) {
  std::string known;
  for (const auto& e : experiments) {
    if (e.name == name) return e;
    known += (known.empty() ? "" : ", ") + e.name;
  }
  TORCH_CHECK(false, "unknown experiment '", name, "'; this mixdist knows: ", known);
}

RunSummary read_run_summary(const std::vector<ExperimentInfo>& experiments, const std::string& run_dir,
                            const std::string& split) {
  TORCH_CHECK(split == "valid" || split == "test", "split must be 'valid' or 'test', got '", split, "'");
  const std::string path = run_dir + "/summary.json";
  const nlohmann::json j = parse_json_object(io::read_file(path), path);
  const std::string name = j.value("experiment", std::string("?"));
  const ExperimentInfo* info = nullptr;
  for (const auto& e : experiments)
    if (e.name == name) info = &e;
  TORCH_CHECK(info != nullptr, path, ": a summary of experiment '", name,
              "', which this mixdist does not know");
  TORCH_CHECK(j.contains(split) && j[split].is_object(), path, ": no '", split, "' metrics");
  RunSummary s;
  s.run_dir = run_dir;
  s.experiment = name;
  s.variant = j.value(info->variant_key, std::string("?"));
  for (const auto& setting : info->distinguishing_settings) {
    const std::string value = j.contains(setting.key) && j[setting.key].is_string()
                                  ? j[setting.key].get<std::string>()
                                  : setting.default_value;
    if (value != setting.default_value) s.variant += " (" + setting.key + " " + value + ")";
  }
  s.preset = j.value("preset", std::string("?"));
  s.seed = j.value("seed", int64_t{0});
  s.epochs = j.value("epochs", int64_t{0});
  s.settings = run_settings(run_dir, *info);
  for (const auto& column : info->comparison) {
    TORCH_CHECK(j[split].contains(column.key) && j[split][column.key].is_number(), path, ": '", split,
                "' has no metric '", column.key, "'");
    s.values.push_back(j[split][column.key].get<double>());
  }
  return s;
}

std::vector<ComparisonRow> compare_runs(const std::vector<ExperimentInfo>& experiments,
                                        const std::vector<RunSummary>& runs) {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<const RunSummary*>> groups;
  // A folder named twice (runs/a and runs/./a, or a shell glob overlapping a name) is one run.
  std::set<std::string> seen;
  for (const auto& r : runs) {
    std::error_code ignored;
    const std::string key = std::filesystem::weakly_canonical(r.run_dir, ignored).string();
    if (!seen.insert(key.empty() ? r.run_dir : key).second) continue;
    groups[{r.experiment, r.variant, r.preset}].push_back(&r);
  }
  std::vector<ComparisonRow> rows;
  for (const auto& [key, group] : groups) {
    const ExperimentInfo& info = find_experiment(experiments, std::get<0>(key));
    for (const auto& [label, members] : split_by_settings(group)) {
      ComparisonRow row;
      std::tie(row.experiment, row.variant, row.preset) = key;
      if (!label.empty()) row.variant += " (" + label + ")";
      row.runs = static_cast<int64_t>(members.size());
      for (size_t k = 0; k < info.comparison.size(); ++k) {
        std::vector<double> values;
        for (const auto* r : members) values.push_back(r->values.at(k));
        double mean = 0;
        for (double v : values) mean += v;
        mean /= static_cast<double>(values.size());
        row.mean.push_back(mean);
        row.spread.push_back(spread_of(values, mean, info.spread));
      }
      rows.push_back(std::move(row));
    }
  }
  auto order = [&](const ComparisonRow& r) {
    const size_t e = experiment_rank(experiments, r.experiment);
    // "<variant> (<setting> <value>)" sorts right after its plain variant.
    const std::string base = r.variant.substr(0, r.variant.find(" ("));
    const size_t v = e < experiments.size() ? rank_of(experiments[e].variants, base) : 0;
    return std::make_tuple(e, v, r.variant, r.preset);
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const ComparisonRow& a, const ComparisonRow& b) { return order(a) < order(b); });
  return rows;
}

std::string comparison_markdown(const std::vector<ExperimentInfo>& experiments,
                                const std::vector<ComparisonRow>& rows, const std::string& split) {
  std::string out;
  for (const ExperimentInfo& info : experiments) {
    std::vector<const ComparisonRow*> mine;
    for (const auto& r : rows)
      if (r.experiment == info.name) mine.push_back(&r);
    if (mine.empty()) continue;
    out += fmt::format("{}{} ({}): {} split, mean ± {} over seeds ({})\n\n| {} | preset | runs |",
                       out.empty() ? "" : "\n", info.title, info.name, split, spread_name(info.spread),
                       info.unit, info.variant_key);
    for (const auto& c : info.comparison) out += " " + c.title + " |";
    out += "\n|---|---|---|";
    for (size_t k = 0; k < info.comparison.size(); ++k) out += "---|";
    out += "\n";
    for (const auto* r : mine) {
      out += fmt::format("| {} | {} | {} |", r->variant, r->preset, r->runs);
      for (size_t k = 0; k < r->mean.size(); ++k)
        out += fmt::format(" {:.{}f} ± {:.{}f} |", r->mean[k], info.comparison[k].decimals, r->spread[k],
                           info.comparison[k].decimals);
      out += "\n";
    }
  }
  return out;
}

std::string comparison_csv(const std::vector<ExperimentInfo>& experiments,
                           const std::vector<ComparisonRow>& rows) {
  std::string out = "experiment,variant,preset,runs,metric,mean,spread,spread_kind\n";
  for (const auto& r : rows) {
    const ExperimentInfo& info = find_experiment(experiments, r.experiment);
    for (size_t k = 0; k < info.comparison.size(); ++k)
      out += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(r.experiment), csv_field(r.variant),
                         csv_field(r.preset), r.runs, csv_field(info.comparison[k].key), r.mean[k],
                         r.spread[k], info.spread == ExperimentInfo::Spread::kStandardError ? "sem" : "std");
  }
  return out;
}

}  // namespace mixdist::experiments::run
