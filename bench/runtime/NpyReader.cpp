//===- NpyReader.cpp - Minimal .npz / .npy reader for benchmarks ----------===//
//
// Part of the SCN compiler benchmarks.
//
//===----------------------------------------------------------------------===//

#include "NpyReader.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

using namespace scn::bench;

namespace {

uint32_t readU32(const std::vector<char> &d, size_t at) {
  if (at + 4 > d.size())
    throw std::runtime_error("npz: truncated file");
  uint32_t v;
  std::memcpy(&v, d.data() + at, 4);
  return v;
}
uint16_t readU16(const std::vector<char> &d, size_t at) {
  if (at + 2 > d.size())
    throw std::runtime_error("npz: truncated file");
  uint16_t v;
  std::memcpy(&v, d.data() + at, 2);
  return v;
}

/// Value text after `'key':` in a .npy header dict.
std::string dictValue(const std::string &header, const std::string &key) {
  size_t at = header.find("'" + key + "'");
  if (at == std::string::npos)
    throw std::runtime_error("npy: header lacks " + key);
  at = header.find(':', at) + 1;
  while (header[at] == ' ')
    ++at;
  size_t end = header[at] == '(' ? header.find(')', at) + 1
                                 : header.find_first_of(",}", at);
  return header.substr(at, end - at);
}

NpyArray parseNpy(const char *data, size_t size) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0)
    throw std::runtime_error("npy: bad magic");
  int major = static_cast<unsigned char>(data[6]);
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = uint16_t(uint8_t(data[8]) | (uint8_t(data[9]) << 8));
    headerStart = 10;
  } else {
    uint32_t n;
    std::memcpy(&n, data + 8, 4);
    headerLength = n;
    headerStart = 12;
  }
  std::string header(data + headerStart, headerLength);
  NpyArray array;
  std::string descr = dictValue(header, "descr");
  array.descr = descr.substr(1, descr.size() - 2);
  if (dictValue(header, "fortran_order") != "False")
    throw std::runtime_error("npy: Fortran order is not supported");
  std::string shape = dictValue(header, "shape");
  int64_t elements = 1;
  for (size_t i = 1; i < shape.size();) {
    size_t end = shape.find_first_of(",)", i);
    std::string piece = shape.substr(i, end - i);
    if (piece.find_first_not_of(' ') != std::string::npos) {
      array.shape.push_back(std::stoll(piece));
      elements *= array.shape.back();
    }
    i = end + 1;
  }
  size_t itemSize = std::stoul(array.descr.substr(2));
  size_t payload = headerStart + headerLength;
  if (payload + elements * itemSize > size)
    throw std::runtime_error("npy: truncated data");
  array.bytes.assign(data + payload, data + payload + elements * itemSize);
  return array;
}

} // namespace

NpyArray scn::bench::readNpzArray(const std::string &path,
                                  const std::string &name) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw std::runtime_error("npz: cannot open " + path);
  std::vector<char> d((std::istreambuf_iterator<char>(file)),
                      std::istreambuf_iterator<char>());
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  size_t eocd = std::string::npos;
  for (size_t at = d.size() >= 22 ? d.size() - 22 : 0;; --at) {
    if (readU32(d, at) == 0x06054b50) {
      eocd = at;
      break;
    }
    if (at == 0 || d.size() - at > 65557)
      break;
  }
  if (eocd == std::string::npos)
    throw std::runtime_error("npz: no zip directory in " + path);
  uint16_t entries = readU16(d, eocd + 10);
  size_t entry = readU32(d, eocd + 16);
  for (uint16_t e = 0; e < entries; ++e) {
    if (readU32(d, entry) != 0x02014b50)
      throw std::runtime_error("npz: bad directory entry");
    uint16_t method = readU16(d, entry + 10);
    uint32_t compressed = readU32(d, entry + 20);
    uint16_t nameLength = readU16(d, entry + 28);
    uint16_t extraLength = readU16(d, entry + 30);
    uint16_t commentLength = readU16(d, entry + 32);
    uint32_t local = readU32(d, entry + 42);
    std::string entryName(d.data() + entry + 46, nameLength);
    if (entryName == name + ".npy") {
      if (method != 0)
        throw std::runtime_error("npz: " + entryName +
                                 " is compressed; only stored entries work");
      size_t data = local + 30 + readU16(d, local + 26) + readU16(d, local + 28);
      if (data + compressed > d.size())
        throw std::runtime_error("npz: truncated entry");
      return parseNpy(d.data() + data, compressed);
    }
    entry += 46 + nameLength + extraLength + commentLength;
  }
  throw std::runtime_error("npz: no array " + name + " in " + path);
}
