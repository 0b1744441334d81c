#pragma once

/// @file
/// @brief A two-way table between an enumeration and its CLI / config.json names.
///
/// The CLI / config.json names of an experiment's methods (latents, channels): one table of (value, name)
/// pairs gives both directions, the list in table order, and an error for an unknown name that lists the
/// valid ones.

#include <c10/util/Exception.h>

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace mixdist::experiments::run {

/// The names of an enumeration's values, in both directions.
///
/// @tparam Enum an enumeration.
///
/// @code
/// static const NamedValues<Channel> channels("channel", {{Channel::kGumbelSoftmax, "gs"}});
/// @endcode
template <typename Enum>
class NamedValues {
 public:
  /// A table of (value, name) pairs, in the order values() lists them.
  /// @param what names the kind in messages, e.g. "latent".
  /// @param entries the (value, name) pairs; the names are kept as pointers, so they must outlive the table
  ///   (string literals do).
  NamedValues(std::string what, std::vector<std::pair<Enum, const char*>> entries)
      : what_(std::move(what)), entries_(std::move(entries)) {
    for (const auto& e : entries_) values_.push_back(e.first);
  }

  /// The name of `value`.
  /// @throws c10::Error if the table has no such value.
  std::string name(Enum value) const {
    for (const auto& e : entries_)
      if (e.first == value) return e.second;
    TORCH_CHECK(false, "unknown ", what_, " value ", static_cast<int>(value));
  }

  /// The value called `name`.
  /// @throws c10::Error naming `name` and listing the valid names if the table has no such name.
  Enum parse(const std::string& name) const {
    for (const auto& e : entries_)
      if (name == e.second) return e.first;
    std::string names;
    for (const auto& e : entries_) names += (names.empty() ? "" : ", ") + std::string(e.second);
    TORCH_CHECK(false, "unknown ", what_, " '", name, "'; valid ", what_, "s: ", names);
  }

  /// Every value, in table order.
  const std::vector<Enum>& values() const { return values_; }

 private:
  std::string what_;
  std::vector<std::pair<Enum, const char*>> entries_;
  std::vector<Enum> values_;
};

}  // namespace mixdist::experiments::run
