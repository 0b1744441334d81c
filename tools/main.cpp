// The mixdist command-line tool.
#include <c10/util/Exception.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <string>
#include <thread>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "mixdist: mixed random variables on the probability simplex (sparse maps, mixed distributions)"};
  app.require_subcommand(1);
  mixdist::tools::GlobalOptions options;
  // More threads than cores only adds contention; thousands exhaust the process (one OS thread each).
  const int max_threads = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--threads", options.threads, "intra-op threads (default: one per core)")
      ->check(CLI::Range(0, max_threads)
                  .description("0 (one per core) to 4 x cores = " + std::to_string(max_threads)));
  mixdist::tools::register_info(app, options);
  mixdist::tools::register_demo(app, options);
  mixdist::tools::register_run_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const c10::Error& e) {
    fmt::print(stderr, "mixdist: {}\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mixdist: {}\n", e.what());
    return 1;
  }
  return 0;
}
