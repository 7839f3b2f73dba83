// The identifiers GitHub derives from others, made up the same way on every run: legacy
// global node ids, commit and tree shas, owner ids, and whether a login is a bot's.
#pragma once

#include <cstdint>
#include <string>

#include "dataset.hpp"

namespace stacklite::testserver {

uint64_t fnv1a(const std::string& s, uint64_t h = 1469598103934665603ULL);
// GitHub's legacy global node ids: base64("0<len>:<Type><id>").
std::string node_id(const std::string& type, int64_t id);
// A stable 40-hex "sha" derived from a seed text.
std::string derived_sha(const std::string& seed);
// The repository's owner_id, or one derived from the owner's login when it is 0.
int64_t owner_id_of(const Repository& repo);
bool is_bot(const std::string& login);  // "…[bot]"

}  // namespace stacklite::testserver
