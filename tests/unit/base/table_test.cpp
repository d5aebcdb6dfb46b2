#include <gtest/gtest.h>

#include "base/table.h"

using namespace ringside;

TEST(Table, AlignsColumnsWithoutTrailingSpaces)
{
    Table table({ { "Name", Align::Left }, { "Size", Align::Right }, { "Note", Align::Left } });
    table.add_row({ "a", "1", "" });
    table.add_row({ "long-name", "12345", "x" });
    EXPECT_EQ(table.render(),
        "Name        Size  Note\n"
        "a              1\n"
        "long-name  12345  x\n");
}
