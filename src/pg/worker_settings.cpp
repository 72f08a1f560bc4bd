#include "chronicle/pg/worker_settings.hpp"

#include "chronicle/pg/postgres.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace chronicle::pg {

int worker_batch_size = 1000;
int worker_naptime_ms = 1000;
int max_workers = 8;

void register_worker_settings() {
    DefineCustomIntVariable("chronicle.worker_batch_size",
                            "Events a projection worker applies to one projection per transaction.",
                            nullptr, &worker_batch_size, 1000, 1, 1000000, PGC_SIGHUP, 0, nullptr,
                            nullptr, nullptr);
}

}  // namespace chronicle::pg
