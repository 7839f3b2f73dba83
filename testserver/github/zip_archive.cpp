// A stored (uncompressed) zip archive writer: local headers, central directory, end record.
#include "github/zip_archive.hpp"

#include <cstdint>

namespace stacklite::testserver {

std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files) {
  auto crc32 = [](const std::string& data) {
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned char c : data) {
      crc ^= c;
      for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
  };
  auto u16 = [](std::string& out, uint32_t v) {
    out += static_cast<char>(v & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
  };
  auto u32 = [&](std::string& out, uint32_t v) {
    u16(out, v & 0xFFFF);
    u16(out, v >> 16);
  };
  std::string body, directory;
  for (const auto& [name, data] : files) {
    const uint32_t crc = crc32(data), offset = static_cast<uint32_t>(body.size());
    const uint32_t size = static_cast<uint32_t>(data.size()), name_len = static_cast<uint32_t>(name.size());
    u32(body, 0x04034b50);
    u16(body, 20);
    u16(body, 0);
    u16(body, 0);
    u16(body, 0);
    u16(body, 0x21);  // 1980-01-01
    u32(body, crc);
    u32(body, size);
    u32(body, size);
    u16(body, name_len);
    u16(body, 0);
    body += name;
    body += data;
    u32(directory, 0x02014b50);
    u16(directory, 20);
    u16(directory, 20);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0x21);
    u32(directory, crc);
    u32(directory, size);
    u32(directory, size);
    u16(directory, name_len);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u16(directory, 0);
    u32(directory, 0);
    u32(directory, offset);
    directory += name;
  }
  const uint32_t dir_offset = static_cast<uint32_t>(body.size());
  body += directory;
  u32(body, 0x06054b50);
  u16(body, 0);
  u16(body, 0);
  u16(body, static_cast<uint32_t>(files.size()));
  u16(body, static_cast<uint32_t>(files.size()));
  u32(body, static_cast<uint32_t>(directory.size()));
  u32(body, dir_offset);
  u16(body, 0);
  return body;
}

}  // namespace stacklite::testserver
