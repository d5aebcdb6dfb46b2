// The JSON contract shared by every --json output: an ordered object whose first field is
// "schema_version", sizes in bytes as integers. nlohmann::json does the encoding.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ringside {

using Json = nlohmann::ordered_json;

inline constexpr int json_schema_version = 1;

// {"schema_version": 1, "tool": <tool>} to which a tool adds its fields.
inline Json json_document(const std::string& tool)
{
    Json document = Json::object();
    document["schema_version"] = json_schema_version;
    document["tool"] = tool;
    return document;
}

// Pretty-printed with a trailing newline; invalid UTF-8 (module strings, file names) is
// replaced rather than thrown on.
inline std::string json_text(const Json& document)
{
    return document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace ringside
