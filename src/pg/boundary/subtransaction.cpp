// RAII internal subtransactions (subtransaction.hpp).
#include "chronicle/pg/boundary/subtransaction.hpp"

#include "chronicle/pg/boundary/pg_guard.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
}

namespace chronicle::pg {

Subtransaction::Subtransaction() : context_(CurrentMemoryContext), owner_(CurrentResourceOwner) {
    GetUserIdAndSecContext(&user_, &security_context_);
    pg_guarded([&] { BeginInternalSubTransaction(nullptr); });
    // Work inside allocates where its caller did: results outlive the subtransaction.
    MemoryContextSwitchTo(context_);
    open_ = true;
}

Subtransaction::~Subtransaction() {
    if (!open_) return;
    try {
        rollback();
    } catch (...) {
        // No way back to a consistent transaction state from here.
        pg_guarded([] {
            ereport(FATAL, (errcode(ERRCODE_INTERNAL_ERROR),
                            errmsg_internal("rolling back an internal subtransaction failed")));
        });
    }
}

void Subtransaction::commit() {
    Assert(open_);
    open_ = false;
    pg_guarded([&] { ReleaseCurrentSubTransaction(); });
    restore();
}

void Subtransaction::rollback() {
    Assert(open_);
    open_ = false;
    pg_guarded([&] { RollbackAndReleaseCurrentSubTransaction(); });
    restore();
    // The subtransaction's abort restored the user its start saw; an error thrown while user
    // code ran as someone else (as_owner) is unwound here as well.
    SetUserIdAndSecContext(user_, security_context_);
}

void Subtransaction::restore() noexcept {
    MemoryContextSwitchTo(context_);
    CurrentResourceOwner = owner_;
}

}  // namespace chronicle::pg
