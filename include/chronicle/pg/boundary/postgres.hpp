// The one place the glue includes PostgreSQL's C headers, with C linkage.
#pragma once

extern "C" {
#include "postgres.h"
#include "fmgr.h"
}
