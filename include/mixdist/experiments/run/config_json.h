#pragma once

// config.json of a run: every setting of an experiment's config struct, written and read by one field list
// so that a field cannot be written and then forgotten when reading. A config struct exposes
//
//   template <typename Visitor> static void visit_fields(Config& c, Visitor&& v) { v("seed", c.seed); ... }
//
// listing each key once, in the order config.json shows them. Enumerations need to_json / from_json
// overloads beside them (nlohmann's ADL hooks), whose from_json throws c10::Error for an unknown name.
// Reading rejects unknown and missing keys (another experiment's or another version's config) and a folder
// of another experiment (the "experiment" key), each with one message naming the key.

#include <c10/util/Exception.h>

#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace mixdist::experiments::run {

// Parses JSON text into an object; c10::Error naming `source` otherwise.
nlohmann::json parse_json_object(const std::string& text, const std::string& source);

template <typename Config>
std::string config_to_json(const Config& config) {
  nlohmann::ordered_json j;
  Config copy = config;
  // Through nlohmann::json, whose to_json overloads the config types provide, into the ordered object.
  Config::visit_fields(copy, [&](const char* key, const auto& value) { j[key] = nlohmann::json(value); });
  return j.dump(2) + "\n";
}

// The config in `text` (source names it in errors, e.g. "runs/x/config.json"); the caller validates it.
template <typename Config>
Config config_from_json(const std::string& text, const std::string& experiment,
                        const std::string& source = "config.json") {
  const nlohmann::json j = parse_json_object(text, source);
  const std::string found = j.contains("experiment") && j["experiment"].is_string()
                                ? j["experiment"].get<std::string>()
                                : std::string("?");
  TORCH_CHECK(found == experiment, source, ": this run folder belongs to experiment '", found, "', not '",
              experiment, "'");
  Config c;
  size_t known = 0;
  Config::visit_fields(c, [&](const char* key, auto& value) {
    TORCH_CHECK(j.contains(key), source, ": missing key '", key, "'");
    // nlohmann would truncate 1.9 to 1 and wrap -1 into an unsigned: an integer setting must be written as
    // one.
    if constexpr (std::is_integral_v<std::decay_t<decltype(value)>> &&
                  !std::is_same_v<std::decay_t<decltype(value)>, bool>) {
      TORCH_CHECK(j.at(key).is_number_integer(), source, ": key '", key, "' must be an integer, got ",
                  j.at(key).dump());
    }
    try {
      j.at(key).get_to(value);
    } catch (const nlohmann::json::exception& e) {
      TORCH_CHECK(false, source, ": key '", key, "' has the wrong type (", e.what(), ")");
    } catch (const c10::Error& e) {
      TORCH_CHECK(false, source, ": key '", key, "': ", e.what_without_backtrace());
    }
    ++known;
  });
  if (known != j.size()) {
    for (const auto& item : j.items()) {
      bool found_key = false;
      Config::visit_fields(c, [&](const char* key, auto&) { found_key = found_key || item.key() == key; });
      TORCH_CHECK(found_key, source, ": unknown key '", item.key(), "'");
    }
  }
  return c;
}

}  // namespace mixdist::experiments::run
