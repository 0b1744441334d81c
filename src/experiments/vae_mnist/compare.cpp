#include "mixdist/experiments/vae_mnist/compare.h"

#include <c10/util/Exception.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "mixdist/experiments/vae_mnist/config.h"
#include "mixdist/io/atomic_file.h"

namespace mixdist::experiments::vae {
namespace {

struct MetricSpec {
  const char* name;  // column title
  const char* key;   // key in summary.json's split object
};
constexpr MetricSpec kMetrics[] = {
    {"NLL", "nll"},           {"D", "D"},     {"R", "R"},       {"R_F", "R_F"},
    {"R_Y|f", "R_Y_given_f"}, {"R_Z", "R_Z"}, {"ELBO", "elbo"}, {"support", "support"}};

}  // namespace

const std::vector<std::string>& comparison_metric_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& m : kMetrics) n.push_back(m.name);
    return n;
  }();
  return names;
}

RunSummary read_run_summary(const std::string& run_dir, const std::string& split) {
  TORCH_CHECK(split == "valid" || split == "test", "split must be 'valid' or 'test', got '", split, "'");
  const std::string path = run_dir + "/summary.json";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(io::read_file(path));
  } catch (const nlohmann::json::exception& e) {
    TORCH_CHECK(false, path, ": not valid JSON (", e.what(), ")");
  }
  TORCH_CHECK(j.value("experiment", std::string()) == "vae_mnist", path,
              ": not a summary of a vae_mnist run");
  TORCH_CHECK(j.contains(split) && j[split].is_object(), path, ": no '", split, "' metrics");
  RunSummary s;
  s.run_dir = run_dir;
  s.latent = j.value("latent", std::string("?"));
  s.preset = j.value("preset", std::string("?"));
  s.seed = j.value("seed", int64_t{0});
  s.epochs = j.value("epochs", int64_t{0});
  for (const auto& m : kMetrics) {
    TORCH_CHECK(j[split].contains(m.key) && j[split][m.key].is_number(), path, ": '", split,
                "' has no metric '", m.key, "'");
    s.values.push_back(j[split][m.key].get<double>());
  }
  return s;
}

std::vector<ComparisonRow> compare_runs(const std::vector<RunSummary>& runs) {
  std::map<std::pair<std::string, std::string>, std::vector<const RunSummary*>> groups;
  for (const auto& r : runs) groups[{r.latent, r.preset}].push_back(&r);
  std::vector<ComparisonRow> rows;
  for (const auto& [key, members] : groups) {
    ComparisonRow row;
    row.latent = key.first;
    row.preset = key.second;
    row.runs = static_cast<int64_t>(members.size());
    const size_t M = comparison_metric_names().size();
    row.mean.assign(M, 0.0);
    row.stddev.assign(M, 0.0);
    for (size_t k = 0; k < M; ++k) {
      for (const auto* r : members) row.mean[k] += r->values[k];
      row.mean[k] /= double(members.size());
      for (const auto* r : members) row.stddev[k] += std::pow(r->values[k] - row.mean[k], 2);
      row.stddev[k] = std::sqrt(row.stddev[k] / double(members.size()));  // population std, like np.std
    }
    rows.push_back(std::move(row));
  }
  auto rank = [](const std::string& latent) {
    const auto& types = all_latent_types();
    for (size_t i = 0; i < types.size(); ++i)
      if (latent_name(types[i]) == latent) return i;
    return types.size();
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const ComparisonRow& a, const ComparisonRow& b) {
    return std::make_pair(rank(a.latent), a.preset) < std::make_pair(rank(b.latent), b.preset);
  });
  return rows;
}

std::string comparison_markdown(const std::vector<ComparisonRow>& rows, const std::string& split) {
  std::string out =
      fmt::format("{} split, mean ± std over seeds (nats per image)\n\n| latent | preset | runs |", split);
  for (const auto& name : comparison_metric_names()) out += " " + name + " |";
  out += "\n|---|---|---|";
  for (size_t k = 0; k < comparison_metric_names().size(); ++k) out += "---|";
  out += "\n";
  for (const auto& r : rows) {
    out += fmt::format("| {} | {} | {} |", r.latent, r.preset, r.runs);
    for (size_t k = 0; k < r.mean.size(); ++k)
      out += fmt::format(" {:.2f} ± {:.2f} |", r.mean[k], r.stddev[k]);
    out += "\n";
  }
  return out;
}

std::string comparison_csv(const std::vector<ComparisonRow>& rows) {
  std::string out = "latent,preset,runs";
  for (const auto& m : kMetrics) out += fmt::format(",{}_mean,{}_std", m.key, m.key);
  out += "\n";
  for (const auto& r : rows) {
    out += fmt::format("{},{},{}", r.latent, r.preset, r.runs);
    for (size_t k = 0; k < r.mean.size(); ++k) out += fmt::format(",{},{}", r.mean[k], r.stddev[k]);
    out += "\n";
  }
  return out;
}

}  // namespace mixdist::experiments::vae
