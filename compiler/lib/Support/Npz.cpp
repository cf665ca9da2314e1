//===- Npz.cpp - numpy .npy/.npz arrays -----------------------------------===//

#include "scn/Support/Npz.h"
#include "scn/Support/Memory.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <zlib.h>

#include <cstring>

using namespace llvm;

namespace scn {

static Error fail(const Twine &message) {
  return createStringError(inconvertibleErrorCode(), message);
}

int64_t NpyArray::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t NpyArray::elementSize() const {
  size_t n = 0;
  if (dtype.size() < 2 || StringRef(dtype).drop_front().getAsInteger(10, n))
    return 0;
  return dtype[0] == 'U' ? 4 * n : n;
}

std::string NpyArray::asString() const {
  std::string out;
  for (size_t i = 0; i + 3 < data.size(); i += 4) {
    uint32_t c;
    std::memcpy(&c, &data[i], 4);
    if (c == 0)
      break;
    out.push_back(c < 128 ? static_cast<char>(c) : '?');
  }
  return out;
}

static uint16_t read16(const uint8_t *p) { return p[0] | (p[1] << 8); }
static uint32_t read32(const uint8_t *p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (uint32_t(p[3]) << 24);
}

/// Value of `key` in a .npy header dict (`{'descr': '<f4', ...}`).
static StringRef headerField(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return {};
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  if (rest.starts_with("'")) {
    rest = rest.drop_front();
    return rest.take_until([](char c) { return c == '\''; });
  }
  if (rest.starts_with("(")) {
    size_t end = rest.find(')');
    return end == StringRef::npos ? StringRef() : rest.take_front(end + 1);
  }
  return rest.take_until([](char c) { return c == ',' || c == '}'; }).trim();
}

Expected<NpyArray> parseNpy(StringRef bytes, StringRef name) {
  auto bad = [&](const Twine &why) {
    return fail("array '" + name + "': " + why);
  };
  if (bytes.size() < 10 || !bytes.starts_with("\x93NUMPY"))
    return bad("not a .npy array (bad magic)");
  auto *p = reinterpret_cast<const uint8_t *>(bytes.data());
  uint8_t major = p[6];
  size_t headerLen, headerStart;
  if (major == 1) {
    headerLen = read16(p + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return bad("truncated header");
    headerLen = read32(p + 8);
    headerStart = 12;
  } else {
    return bad("unsupported .npy version " + Twine(int(major)));
  }
  if (headerStart + headerLen > bytes.size())
    return bad("truncated header");
  StringRef header = bytes.substr(headerStart, headerLen);
  NpyArray array;
  StringRef descr = headerField(header, "descr");
  if (descr.size() < 2)
    return bad("header has no dtype");
  char order = descr[0];
  array.dtype = descr.drop_front().str();
  if (order == '>' || (order != '<' && order != '|'))
    return bad("dtype '" + descr + "' is not little-endian");
  if (headerField(header, "fortran_order") == "True")
    return bad("Fortran-ordered arrays are not supported");
  StringRef shape = headerField(header, "shape");
  if (!shape.starts_with("(") || !shape.ends_with(")"))
    return bad("header has no shape");
  SmallVector<StringRef> dims;
  shape.drop_front().drop_back().split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef d : dims) {
    d = d.trim();
    int64_t v;
    if (d.getAsInteger(10, v) || v < 0)
      return bad("bad dimension '" + d + "'");
    array.shape.push_back(v);
  }
  size_t elem = 0;
  if (array.dtype == "f4" || array.dtype == "i4" || array.dtype == "u4")
    elem = 4;
  else if (array.dtype == "f8" || array.dtype == "i8" || array.dtype == "u8")
    elem = 8;
  else if (array.dtype == "u1" || array.dtype == "i1" || array.dtype == "b1")
    elem = 1;
  else if (array.dtype[0] == 'U' && array.elementSize() > 0)
    elem = array.elementSize();
  else
    return bad("unsupported dtype '" + descr + "'");
  // Guard the size product against overflow.
  uint64_t count = 1;
  for (int64_t d : array.shape) {
    if (d != 0 && count > (uint64_t(1) << 40) / uint64_t(d))
      return bad("too many elements");
    count *= d;
  }
  uint64_t size = count * elem;
  size_t dataStart = headerStart + headerLen;
  if (bytes.size() - dataStart < size)
    return bad("truncated data: " + Twine(bytes.size() - dataStart) +
               " bytes for " + Twine(size));
  if (!systemGives(size))
    return bad("out of memory for " + Twine(size) + " bytes");
  array.data.assign(p + dataStart, p + dataStart + size);
  return array;
}

/// Inflates a raw deflate stream of known output size.
static Expected<std::string> inflateRaw(StringRef in, size_t outSize,
                                        StringRef name) {
  if (!systemGives(outSize))
    return fail("member '" + name + "': out of memory for " + Twine(outSize) +
                " inflated bytes");
  std::string out(outSize, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK)
    return fail("zlib: cannot initialise");
  zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  zs.avail_in = in.size();
  zs.next_out = reinterpret_cast<Bytef *>(out.data());
  zs.avail_out = outSize;
  int rc = inflate(&zs, Z_FINISH);
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || zs.total_out != outSize)
    return fail("member '" + name + "': corrupt deflate data");
  return out;
}

Expected<NpzFile> readNpz(StringRef path) {
  auto buffer = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buffer)
    return fail("cannot read '" + path + "': " + buffer.getError().message());
  StringRef bytes = (*buffer)->getBuffer();
  auto *p = reinterpret_cast<const uint8_t *>(bytes.data());
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  size_t eocd = StringRef::npos;
  for (size_t i = bytes.size() >= 22 ? bytes.size() - 22 : 0;; --i) {
    if (read32(p + i) == 0x06054b50 && bytes.size() >= 22) {
      eocd = i;
      break;
    }
    if (i == 0 || bytes.size() - i > 65557)
      break;
  }
  if (eocd == StringRef::npos)
    return fail("'" + path + "' is not a .npz (zip) file");
  uint16_t entries = read16(p + eocd + 10);
  uint32_t dirOffset = read32(p + eocd + 16);
  NpzFile file;
  size_t at = dirOffset;
  for (unsigned e = 0; e < entries; ++e) {
    if (at + 46 > bytes.size() || read32(p + at) != 0x02014b50)
      return fail("'" + path + "': corrupt zip central directory");
    uint16_t method = read16(p + at + 10);
    uint32_t compSize = read32(p + at + 20), size = read32(p + at + 24);
    uint16_t nameLen = read16(p + at + 28), extraLen = read16(p + at + 30),
             commentLen = read16(p + at + 32);
    uint32_t local = read32(p + at + 42);
    if (at + 46 + nameLen > bytes.size())
      return fail("'" + path + "': corrupt zip entry name");
    std::string name(bytes.substr(at + 46, nameLen));
    at += 46 + nameLen + extraLen + commentLen;
    if (compSize == 0xFFFFFFFF || size == 0xFFFFFFFF)
      return fail("'" + path + "': zip64 members are not supported");
    if (local + 30 > bytes.size() || read32(p + local) != 0x04034b50)
      return fail("'" + path + "': corrupt zip local header");
    size_t dataAt = local + 30 + read16(p + local + 26) + read16(p + local + 28);
    if (dataAt + compSize > bytes.size())
      return fail("'" + path + "': member '" + name + "' is truncated");
    StringRef raw = bytes.substr(dataAt, compSize);
    std::string inflated;
    if (method == 8) {
      auto out = inflateRaw(raw, size, name);
      if (!out)
        return out.takeError();
      inflated = std::move(*out);
      raw = inflated;
    } else if (method != 0) {
      return fail("'" + path + "': member '" + name +
                  "' uses unsupported compression " + Twine(method));
    }
    StringRef key(name);
    key.consume_back(".npy");
    auto array = parseNpy(raw, key);
    if (!array)
      return array.takeError();
    file[key.str()] = std::move(*array);
  }
  return file;
}

static void put16(std::string &s, uint16_t v) {
  s.push_back(v & 0xFF);
  s.push_back(v >> 8);
}
static void put32(std::string &s, uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}

/// A .npy file (version 1.0) for `array`.
static std::string serializeNpy(const NpyArray &array) {
  std::string shape = "(";
  for (size_t i = 0; i < array.shape.size(); ++i)
    shape += std::to_string(array.shape[i]) +
             (array.shape.size() == 1 ? "," : i + 1 < array.shape.size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '<" + array.dtype +
                       "', 'fortran_order': False, 'shape': " + shape;
  header += ", }";
  // Pad so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back(1);
  out.push_back(0);
  put16(out, header.size());
  out += header;
  out.append(reinterpret_cast<const char *>(array.data.data()), array.data.size());
  return out;
}

Error writeNpz(StringRef path, const NpzFile &arrays) {
  std::string zip, directory;
  uint16_t count = 0;
  for (const auto &[key, array] : arrays) {
    std::string name = key + ".npy";
    std::string member = serializeNpy(array);
    uint32_t crc = crc32(0, reinterpret_cast<const Bytef *>(member.data()),
                         member.size());
    uint32_t offset = zip.size();
    auto header = [&](std::string &s, bool central) {
      put32(s, central ? 0x02014b50 : 0x04034b50);
      if (central)
        put16(s, 20);
      put16(s, 20); // version needed
      put16(s, 0);  // flags
      put16(s, 0);  // stored
      put16(s, 0);  // time
      put16(s, 0x21); // date 1980-01-01
      put32(s, crc);
      put32(s, member.size());
      put32(s, member.size());
      put16(s, name.size());
      put16(s, 0); // extra
      if (central) {
        put16(s, 0); // comment
        put16(s, 0); // disk
        put16(s, 0); // internal attributes
        put32(s, 0); // external attributes
        put32(s, offset);
      }
      s += name;
    };
    header(zip, false);
    zip += member;
    header(directory, true);
    ++count;
  }
  uint32_t dirOffset = zip.size();
  zip += directory;
  put32(zip, 0x06054b50);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, count);
  put16(zip, count);
  put32(zip, directory.size());
  put32(zip, dirOffset);
  put16(zip, 0);
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  os << zip;
  return Error::success();
}

} // namespace scn
