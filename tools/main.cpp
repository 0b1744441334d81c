// The mixdist command-line tool.
#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <exception>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{
      "mixdist: mixed random variables on the probability simplex (sparse maps, mixed distributions)"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "intra-op threads (default: number of cores)")
      ->check(CLI::NonNegativeNumber);
  mixdist::tools::register_info(app);
  mixdist::tools::register_demo(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
