// The mixdist command-line tool.
#include <c10/util/Exception.h>
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>
#include <thread>

#include "commands.h"
#include "mixdist/train/stop_signal.h"

int main(int argc, char** argv) {
  // Before anything starts a thread, so that every thread inherits the blocked SIGINT/SIGTERM.
  mixdist::train::StopSignal::install();
  // Each output line reaches a log file as it is written (stdout to a file is block-buffered otherwise), so
  // that `tail -f` of a background run, and whoever watches it, sees where it is. std::cout writes through
  // stdio (sync_with_stdio), so this covers it too.
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  CLI::App app{
      "mixdist: mixed random variables on the probability simplex (sparse maps, mixed distributions)"};
  app.require_subcommand(1);
  mixdist::tools::GlobalOptions options;
  // More threads than cores only adds contention; thousands exhaust the process (one OS thread each).
  const int max_threads = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--threads", options.threads, "intra-op threads (default: one per core)")
      ->check(CLI::Range(0, max_threads)
                  .description("0 (one per core) to 4 x cores = " + std::to_string(max_threads)));
  app.add_option("--dist-timeout", options.dist_timeout_seconds,
                 "data-parallel runs (torchrun): seconds a rank waits for the others before it fails")
      ->check(CLI::Range(1.0, 86400.0));
  mixdist::tools::register_info(app, options);
  mixdist::tools::register_demo(app, options);
  mixdist::tools::register_run_commands(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const mixdist::train::Stopped& e) {
    fmt::print(stderr, "mixdist: {}; nothing was written\n", e.what());
    return mixdist::train::StopSignal::exit_status();
  } catch (const c10::Error& e) {
    fmt::print(stderr, "mixdist: {}\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mixdist: {}\n", e.what());
    return 1;
  }
  return 0;
}
