// Plain-text tables for the human-readable views. JSON output uses nlohmann::ordered_json
// built from the same data; see base/json.h.
#pragma once

#include <string>
#include <vector>

namespace ringside {

enum class Align { Left, Right };

struct Column {
    std::string header;
    Align align = Align::Left;
};

class Table {
public:
    explicit Table(std::vector<Column> columns) : m_columns(std::move(columns)) {}

    void add_row(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }
    std::size_t row_count() const { return m_rows.size(); }

    // Columns are separated by `gap` spaces and padded to their widest cell; the last
    // left-aligned column is not padded, so lines carry no trailing spaces.
    std::string render(int gap = 2, bool with_header = true) const;

private:
    std::vector<Column> m_columns;
    std::vector<std::vector<std::string>> m_rows;
};

}  // namespace ringside
