#pragma once

/// @file
/// @brief Writing and reading config.json from one list of a config struct's fields.
///
/// config.json of a run: every setting of an experiment's config struct, written and read by one field list
/// so that a field cannot be written and then forgotten when reading. A config struct exposes
///
/// @code
/// template <typename Visitor> static void visit_fields(Config& c, Visitor&& v) { v("seed", c.seed); ... }
/// @endcode
///
/// listing each key once, in the order config.json shows them. Enumerations need to_json / from_json
/// overloads beside them (nlohmann's ADL hooks), whose from_json throws c10::Error for an unknown name.
/// Reading rejects unknown and missing keys (another experiment's or another version's config) and a folder
/// of another experiment (the "experiment" key), each with one message naming the key.

#include <c10/util/Exception.h>

#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>

namespace mixdist::experiments::run {

/// Parses JSON text that must hold an object.
/// @param text the JSON text.
/// @param source what the text is, for messages, e.g. "runs/x/config.json".
/// @return the parsed object.
/// @throws c10::Error naming `source` if the text is not valid JSON or not an object.
nlohmann::json parse_json_object(const std::string& text, const std::string& source);

/// The config as config.json text: a JSON object of every field Config::visit_fields lists, in its order,
/// pretty-printed with two-space indents and a final newline.
/// @tparam Config a config struct with a static visit_fields (see the file's description).
template <typename Config>
std::string config_to_json(const Config& config) {
  nlohmann::ordered_json j;
  Config copy = config;
  // Through nlohmann::json, whose to_json overloads the config types provide, into the ordered object.
  Config::visit_fields(copy, [&](const char* key, const auto& value) { j[key] = nlohmann::json(value); });
  return j.dump(2) + "\n";
}

/// The config in `text`, every field Config::visit_fields lists read from its key; the caller validates the
/// values.
///
/// @tparam Config a config struct with a static visit_fields (see the file's description).
/// @param text config.json text.
/// @param experiment the experiment whose config this must be: the text's "experiment" must equal it.
/// @param source what the text is, for messages, e.g. "runs/x/config.json".
/// @return the config.
/// @throws c10::Error naming `source`: text that is not a JSON object, another experiment's config, a
///   missing or unknown key, a value of the wrong type (an integer setting written as a non-integer number
///   included), or an enumeration's unknown name (naming the key).
///
/// @code
/// auto config = run::config_from_json<vae_mnist::VaeConfig>(text, "vae_mnist", "runs/x/config.json");
/// @endcode
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
