//===- IREmitter.cpp - Textual scn dialect IR writer ----------------------===//

#include "scn/Frontends/Torch/IREmitter.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

using namespace scn::torch_import;

std::string scn::torch_import::tensorType(const std::vector<int64_t> &shape,
                                          const std::string &element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + element + ">";
}

std::string scn::torch_import::listString(const std::vector<int64_t> &values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

std::string
scn::torch_import::sitesType(const std::vector<int64_t> &spatialSize) {
  return "!scn.sites<" + std::to_string(spatialSize.size()) + ", " +
         listString(spatialSize) + ">";
}

std::string scn::torch_import::i64Array(const std::vector<int64_t> &values) {
  std::string s = "array<i64: ";
  for (size_t i = 0; i < values.size(); ++i)
    s += (i ? ", " : "") + std::to_string(values[i]);
  return s + ">";
}

std::string scn::torch_import::f64Attr(double value) {
  if (std::isnan(value))
    return "0x7FF8000000000000 : f64";
  if (std::isinf(value))
    return value > 0 ? "0x7FF0000000000000 : f64" : "0xFFF0000000000000 : f64";
  // The shortest decimal text that reads back as the same double.
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, value);
    if (std::strtod(buf, nullptr) == value)
      break;
  }
  // MLIR's float literals need a '.' before any exponent.
  std::string s = buf;
  if (s.find('.') == std::string::npos) {
    size_t e = s.find('e');
    s.insert(e == std::string::npos ? s.size() : e, ".0");
  }
  return s + " : f64";
}

std::string IREmitter::fresh(const std::string &prefix) {
  return "%" + prefix + std::to_string(++counter);
}

void IREmitter::emit(const std::string &line) { body.push_back(line); }

std::string IREmitter::uniqueName(const std::string &hint) {
  // SSA and resource names: letters, digits, '_' and '.'; not a leading
  // digit (a resource key must be an identifier).
  std::string name;
  for (char c : hint)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])))
    name = "p" + name;
  int &uses = usedNames[name];
  if (uses++)
    name += "_" + std::to_string(uses);
  return name;
}

std::string IREmitter::reserveInputName(const std::string &nameHint) {
  return "%" + uniqueName(nameHint);
}

void IREmitter::addInput(const std::string &name, const std::string &type) {
  inputs.push_back({name, type, name.substr(1)});
}

std::string IREmitter::addArgument(const std::string &nameHint,
                                   const std::string &type) {
  std::string name = "%" + uniqueName(nameHint);
  arguments.push_back({name, type, nameHint});
  return name;
}

std::string IREmitter::addResource(const std::string &keyHint,
                                   const std::string &type, const float *data,
                                   size_t count) {
  std::string key = uniqueName(keyHint);
  // Blob: 4-byte alignment (little-endian u32), then the raw f32 bytes.
  static const char digits[] = "0123456789ABCDEF";
  std::string hex = "0x04000000";
  hex.reserve(hex.size() + count * 8);
  const auto *bytes = reinterpret_cast<const unsigned char *>(data);
  for (size_t i = 0; i < count * sizeof(float); ++i) {
    hex += digits[bytes[i] >> 4];
    hex += digits[bytes[i] & 15];
  }
  resources.emplace_back(key, std::move(hex));
  std::string name = fresh("w");
  emit(name + " = arith.constant dense_resource<" + key + "> : " + type);
  return name;
}

void IREmitter::addResult(const std::string &value, const std::string &type,
                          const std::string &name) {
  results.push_back({value, type, name});
}

/// ` {scn.name = "..."}`, or nothing for an empty name.
static std::string nameAttr(const std::string &name) {
  if (name.empty())
    return "";
  std::string quoted;
  for (char c : name) {
    if (c == '"' || c == '\\')
      quoted += '\\';
    quoted += c;
  }
  return " {scn.name = \"" + quoted + "\"}";
}

std::string IREmitter::finish(const std::string &funcName) const {
  std::ostringstream os;
  os << "func.func @" << funcName << "(";
  std::vector<Slot> all = inputs;
  all.insert(all.end(), arguments.begin(), arguments.end());
  for (size_t i = 0; i < all.size(); ++i)
    os << (i ? ", " : "") << all[i].value << ": " << all[i].type
       << nameAttr(all[i].name);
  os << ") -> ";
  std::string values, types, signature;
  bool named = false;
  for (size_t i = 0; i < results.size(); ++i) {
    values += (i ? ", " : "") + results[i].value;
    types += (i ? ", " : "") + results[i].type;
    signature += (i ? ", " : "") + results[i].type + nameAttr(results[i].name);
    named |= !results[i].name.empty();
  }
  os << (results.size() == 1 && !named ? types : "(" + signature + ")")
     << " {\n";
  for (const std::string &line : body)
    os << "    " << line << "\n";
  os << "    return " << values << " : " << types << "\n}\n";
  if (!resources.empty()) {
    os << "\n{-#\n  dialect_resources: {\n    builtin: {\n";
    for (size_t i = 0; i < resources.size(); ++i)
      os << "      " << resources[i].first << ": \"" << resources[i].second
         << "\"" << (i + 1 < resources.size() ? "," : "") << "\n";
    os << "    }\n  }\n#-}\n";
  }
  return os.str();
}
