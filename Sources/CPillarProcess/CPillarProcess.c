#include "CPillarProcess.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

int pillar_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return -1;
    return getppid() == expected_parent ? 0 : -1;
}
