#pragma once

// A gtest predicate shared by the data tests: the error must name every fragment of the expected message.

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <functional>
#include <initializer_list>
#include <string>

namespace mixdist::testing {

// Passes if `body` throws a c10::Error whose message contains every fragment.
inline ::testing::AssertionResult ThrowsWith(const std::function<void()>& body,
                                             std::initializer_list<std::string> fragments) {
  try {
    body();
  } catch (const c10::Error& error) {
    const std::string message = error.what_without_backtrace();
    for (const std::string& fragment : fragments)
      if (message.find(fragment) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << message << "\" lacks \"" << fragment << "\"";
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "no c10::Error was thrown";
}

}  // namespace mixdist::testing
