#include "mixdist/experiments/run/config_json.h"

namespace mixdist::experiments::run {

nlohmann::json parse_json_object(const std::string& text, const std::string& source) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    TORCH_CHECK(false, source, ": not valid JSON (", e.what(), ")");
  }
  TORCH_CHECK(j.is_object(), source, ": expected a JSON object");
  return j;
}

}  // namespace mixdist::experiments::run
