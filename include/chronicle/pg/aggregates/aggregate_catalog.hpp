// The aggregates of this database, compiled once per backend. Definitions are read from
// chronicle.aggregates, compiled by the core, and kept until that table changes (its trigger
// sends a relcache invalidation that every backend receives, also on a hot standby, and the
// metadata cache's one callback advances the aggregates' epoch), so a
// fold or an append finds its aggregates with one hash lookup.
//
// C++ side of the boundary: call these only inside core_call (they use pg_guarded).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chronicle/core/aggregate_definition.hpp"
#include "chronicle/pg/boundary/postgres.hpp"
#include "chronicle/pg/catalog/metadata_cache.hpp"

namespace chronicle::pg {

struct CachedAggregate {
    std::string name;
    std::optional<std::string> category;
    std::int64_t snapshot_every = 0;
    std::int64_t revision = 0;
    // A reducer aggregate's function as recorded (recorded_function.hpp); empty when
    // declarative. `reducer` is what it resolves to now: InvalidOid, with `reducer_problem`
    // saying why, when it no longer resolves to a function its recorded owner owns.
    std::string reducer_identity;
    Oid reducer = InvalidOid;
    std::string reducer_problem;
    Oid owner = InvalidOid;  // the role its reducer runs as, whoever triggers the fold
    bool by_reducer() const { return !reducer_identity.empty(); }
    AggregateDefinition definition;
    std::string broken;  // why the stored definition does not compile, if it does not
};

using AggregateRef = std::shared_ptr<const CachedAggregate>;

// The OIDs of the aggregate relations, from the metadata cache (InvalidOid before 0.2).
const AggregateRelations& aggregate_relations();

// Throws Error(UnknownAggregate) when there is no aggregate of that name.
AggregateRef find_aggregate(std::string_view name);

// The aggregates whose category is `category` and that take snapshots (snapshot_every > 0).
// Empty (and cheap) in the common case of a category without such aggregates.
const std::vector<AggregateRef>& snapshotting_aggregates_of(std::string_view category);

}  // namespace chronicle::pg
