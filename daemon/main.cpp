// prospectflowd: the ProspectFlow campaign daemon. Everything lives in the
// libraries; this only hands over the command line.
#include "daemon/commands.hpp"

int main(int argc, char** argv) {
    return pf::daemon::main_with_args(argc, argv);
}
