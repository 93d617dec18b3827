// crossview CLI: subcommands. Each is a thin layer over the public library API
// and returns the process exit status (0 success, 1 failure, 2 usage error).
#pragma once

#include <string>

namespace crossview::cli {

/// Output options common to every subcommand.
struct Output {
  bool quiet = false;  ///< No progress and no table, only errors.
  bool json = false;   ///< Machine-readable JSON on stdout instead of the table.
};

int run_demo(int argc, char** argv);

}  // namespace crossview::cli
