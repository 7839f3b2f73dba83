// A stored (uncompressed) zip archive: GitHub's run-log downloads are zips of one text
// file per job, and the demo's log URLs should unzip like the real ones.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace stacklite::testserver {

// files: {name, contents}, in archive order.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace stacklite::testserver
