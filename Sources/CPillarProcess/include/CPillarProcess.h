#ifndef C_PILLAR_PROCESS_H
#define C_PILLAR_PROCESS_H

#include <sys/types.h>

/// Asks the kernel to send SIGKILL to the calling process when its parent dies (prctl PR_SET_PDEATHSIG), then
/// checks that the parent is still `expected_parent`: a parent that died before the request was made would
/// never signal. Returns 0 when bound, -1 when the parent is already gone or prctl failed. `prctl` is variadic,
/// which Swift cannot call, hence this function.
int pillar_die_with_parent(pid_t expected_parent);

#endif
