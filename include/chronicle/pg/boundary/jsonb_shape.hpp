// Reading the shape of jsonb values in place (no round trip through text).
#pragma once

#include <string_view>

#include "chronicle/core/correlation_ids.hpp"
#include "chronicle/core/event_shape.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

extern "C" {
#include "utils/jsonb.h"
}

namespace chronicle::pg {

chronicle::JsonKind jsonb_kind(const Jsonb* value);  // of a whole jsonb datum
chronicle::JsonKind jsonb_value_kind(const JsonbValue* value);

// One element of an append_batch array, located but not copied.
struct BatchElement {
    chronicle::EventShape shape;
    JsonbValue* type;      // the "type" string, or NULL
    JsonbValue* data;      // the "data" container, or NULL
    JsonbValue* metadata;  // the "metadata" container, or NULL (also for JSON null)
};

// Finds the known keys of batch element `index` of the array `batch`.
void read_batch_element(Jsonb* batch, int index, BatchElement* out);

// The keys "correlation_id" and "causation_id" of an event's metadata object (NULL: no
// metadata), located but not copied: the views point into `metadata`.
void read_metadata_ids(const JsonbContainer* metadata, chronicle::MetadataId* correlation,
                       chronicle::MetadataId* causation);

// A standalone jsonb datum of a container found inside another jsonb (a memcpy).
Jsonb* jsonb_of_container(const JsonbValue* container);

}  // namespace chronicle::pg
