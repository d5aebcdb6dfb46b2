#include "base/table.h"

#include <algorithm>

namespace ringside {

std::string Table::render(int gap, bool with_header) const
{
    std::vector<std::size_t> widths(m_columns.size(), 0);
    auto measure = [&](const std::vector<std::string>& cells) {
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], cells[i].size());
    };
    std::vector<std::string> headers;
    for (const Column& column : m_columns)
        headers.push_back(column.header);
    if (with_header)
        measure(headers);
    for (const auto& row : m_rows)
        measure(row);

    std::string out;
    auto emit = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t i = 0; i < m_columns.size(); ++i) {
            const std::string cell = i < cells.size() ? cells[i] : std::string();
            std::size_t pad = widths[i] - std::min(widths[i], cell.size());
            if (i > 0)
                line.append(static_cast<std::size_t>(gap), ' ');
            if (m_columns[i].align == Align::Right)
                line.append(pad, ' ').append(cell);
            else if (i + 1 == m_columns.size())
                line.append(cell);
            else
                line.append(cell).append(pad, ' ');
        }
        while (!line.empty() && line.back() == ' ')
            line.pop_back();
        out += line;
        out += '\n';
    };
    if (with_header)
        emit(headers);
    for (const auto& row : m_rows)
        emit(row);
    return out;
}

}  // namespace ringside
