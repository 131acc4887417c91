#include "ctl/control_client.hpp"

int main(int argc, char** argv) {
    return pf::ctl::run(argc, argv);
}
