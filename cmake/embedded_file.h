// A file compiled into the binary by cmake/embed_files.cmake.
#pragma once

#include <span>
#include <string_view>

namespace otsentry {

struct EmbeddedFile {
    std::string_view name;  // relative to the embedded folder, e.g. "modbus.rules"
    std::string_view data;
};

}  // namespace otsentry
