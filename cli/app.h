// polc's command line: one function that parses argv and runs a command,
// returning the CONTRACT §2 exit code.
#pragma once

namespace polc {

int run_cli(int argc, char **argv);

}  // namespace polc
