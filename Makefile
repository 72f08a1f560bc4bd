# PGXS build of the chronicle extension; also runs pg_regress, isolation and TAP suites
# against an installed server (make installcheck). The PostgreSQL-free core and its unit
# tests are built separately by CMake (see CMakeLists.txt and scripts/test).

EXTENSION = chronicle
MODULE_big = chronicle
DATA = $(wildcard sql/chronicle--*.sql)

CORE_SRCS = $(wildcard src/core/*.cpp)
PG_SRCS = $(wildcard src/pg/*.cpp src/pg/*/*.cpp)
OBJS = $(CORE_SRCS:.cpp=.o) $(PG_SRCS:.cpp=.o)
# autodepend keeps one .deps/<basename>.Po per object: two sources with one base name would
# share it, and a changed header would no longer rebuild both.
SAME_BASENAME := $(shell printf '%s\n' $(notdir $(CORE_SRCS) $(PG_SRCS)) | sort | uniq -d)
ifneq ($(SAME_BASENAME),)
$(error sources in src/ must have distinct file names; shared: $(SAME_BASENAME))
endif

# pg_regress inputs sit beside the install scripts in sql/, expected output in expected/
# (PGXS's default layout, as in pg_cron and pg_ivm).
REGRESS := $(filter-out chronicle--%,$(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=chronicle
ISOLATION := $(basename $(notdir $(wildcard tests/isolation/specs/*.spec)))
ISOLATION_OPTS = --inputdir=tests/isolation --outputdir=tests/isolation --load-extension=chronicle
PROVE_TESTS := $(wildcard tests/tap/*.pl)
ifneq ($(PROVE_TESTS),)
TAP_TESTS = 1
endif
EXTRA_CLEAN = results tests/isolation/results regression.* tests/isolation/regression.* tmp_check

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# Supported servers (include/chronicle/pg/boundary/pg_compat.hpp holds what differs): a clear
# error here rather than a failed compile, or a library another server cannot load.
PG_MAJOR_VERSION := $(shell $(PG_CONFIG) --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
ifeq ($(filter 15 16 17 18,$(PG_MAJOR_VERSION)),)
$(error chronicle builds against PostgreSQL 15 to 18 (tested: 15 and 18); $(PG_CONFIG) is $(shell $(PG_CONFIG) --version))
endif

# Debian's PGXS would also compile LLVM bitcode with clang, without our C++ flags.
override with_llvm = no
# Rebuild what includes a changed header (PGXS tracks no header dependencies by default).
override autodepend = yes

PG_CPPFLAGS = -I$(CURDIR)/include
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register -Wno-cast-function-type -fvisibility-inlines-hidden
SHLIB_LINK = -lstdc++

include $(PGXS)
