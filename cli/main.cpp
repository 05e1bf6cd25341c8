#include <exception>
#include <iostream>

#include "cli/app.h"
#include "cli/exit_codes.h"

int main(int argc, char **argv) {
  // No input may make polc print a stack trace: anything that escapes is an
  // internal error with exit 4.
  try {
    return polc::run_cli(argc, argv);
  } catch (const std::exception &e) {
    std::cerr << "polc: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "polc: internal error\n";
  }
  return polc::kExitInternal;
}
