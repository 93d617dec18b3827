// crossview: command-line tool over the crossview library.
#include "args.hpp"
#include "commands.hpp"

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace {

constexpr const char* kUsage =
    "usage: crossview <command> [options]\n"
    "\n"
    "commands:\n"
    "  demo        run the full pipeline on the built-in synthetic scene (or --data DIR)\n"
    "\n"
    "Run 'crossview <command> --help' for the options of a command.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    std::fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "--version") == 0) {
    std::puts("crossview 0.1.0");
    return 0;
  }
  const std::string command = argv[1];
  try {
    if (command == "demo") return crossview::cli::run_demo(argc - 2, argv + 2);
    std::fprintf(stderr, "crossview: unknown command '%s' (see crossview --help)\n", command.c_str());
    return 2;
  } catch (const crossview::cli::UsageError& e) {
    std::fprintf(stderr, "crossview %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crossview %s: error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
