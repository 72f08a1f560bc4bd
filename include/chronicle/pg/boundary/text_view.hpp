// Borrowing PostgreSQL text values as std::string_view, without copying.
#pragma once

#include <optional>
#include <string_view>

#include "chronicle/pg/boundary/pg_compat.hpp"
#include "chronicle/pg/boundary/postgres.hpp"

namespace chronicle::pg {

// `t` must be detoasted (PG_GETARG_TEXT_PP does that) and outlive the view.
inline std::string_view view_of(const text* t) {
    return {VARDATA_ANY(t), static_cast<size_t>(VARSIZE_ANY_EXHDR(t))};
}

// SQL NULL (a null pointer) becomes nullopt.
inline std::optional<std::string_view> optional_view(const text* t) {
    return t ? std::optional<std::string_view>(view_of(t)) : std::nullopt;
}

}  // namespace chronicle::pg
