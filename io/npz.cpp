// .npy encoding/decoding and .npz archives through libzip (see npz.h).
#include "io/npz.h"

#include <zip.h>

#include <cctype>
#include <cstdio>
#include <memory>
#include <sstream>

#include "support/limits.h"
#include "support/text.h"

namespace mnemo {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct NpyTypeInfo {
  NpyType type;
  const char* descr;
  const char* name;
  size_t size;
};

constexpr NpyTypeInfo kNpyTypes[] = {
    {NpyType::Float32, "<f4", "float32", 4}, {NpyType::Float64, "<f8", "float64", 8},
    {NpyType::Int32, "<i4", "int32", 4},     {NpyType::Int64, "<i8", "int64", 8},
    {NpyType::UInt8, "|u1", "uint8", 1},
};

const NpyTypeInfo& info(NpyType t) {
  for (const NpyTypeInfo& d : kNpyTypes)
    if (d.type == t) return d;
  MNEMO_CHECK(false, "unknown NpyType");
  return kNpyTypes[0];
}

// A tiny reader for the Python dict literal in a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  void parse(std::string& descr, bool& fortran, std::vector<int64_t>& shape) {
    bool haveDescr = false, haveFortran = false, haveShape = false;
    expect('{');
    while (true) {
      skipSpace();
      if (peek() == '}') break;
      std::string key = quoted();
      expect(':');
      skipSpace();
      if (key == "descr") {
        descr = quoted();
        haveDescr = true;
      } else if (key == "fortran_order") {
        fortran = boolean();
        haveFortran = true;
      } else if (key == "shape") {
        shape = tuple();
        haveShape = true;
      } else {
        fail("unexpected header key '" + key + "'");
      }
      skipSpace();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      skipSpace();
      if (peek() != '}') fail("malformed header dictionary");
    }
    if (!haveDescr || !haveFortran || !haveShape)
      fail("header lacks 'descr', 'fortran_order' or 'shape'");
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const { MNEMO_FAIL(what_ << ": " << msg); }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skipSpace() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  void expect(char c) {
    skipSpace();
    if (peek() != c) fail(std::string("malformed .npy header (expected '") + c + "')");
    ++i_;
  }
  std::string quoted() {
    skipSpace();
    char q = peek();
    if (q != '\'' && q != '"') fail("malformed .npy header (expected a string)");
    size_t end = s_.find(q, i_ + 1);
    if (end == std::string::npos) fail("malformed .npy header (unterminated string)");
    std::string out = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return out;
  }
  bool boolean() {
    if (s_.compare(i_, 4, "True") == 0) {
      i_ += 4;
      return true;
    }
    if (s_.compare(i_, 5, "False") == 0) {
      i_ += 5;
      return false;
    }
    fail("malformed .npy header (fortran_order is not True/False)");
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> out;
    expect('(');
    while (true) {
      skipSpace();
      if (peek() == ')') {
        ++i_;
        return out;
      }
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        fail("malformed .npy header (bad shape)");
      int64_t v = 0;
      const size_t start = i_;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        v = v * 10 + (s_[i_++] - '0');
        if (v > limits::kMaxDimension)
          fail("shape extent " + s_.substr(start, i_ - start) + "... exceeds the limit of " +
               std::to_string(limits::kMaxDimension));
      }
      if (peek() == 'L') ++i_;  // Python 2 long suffix
      out.push_back(v);
      skipSpace();
      if (peek() == ',') ++i_;
      else if (peek() != ')') fail("malformed .npy header (bad shape)");
    }
  }

  const std::string& s_;
  const std::string& what_;
  size_t i_ = 0;
};

uint32_t readLe(const std::string& b, size_t at, int bytes) {
  uint32_t v = 0;
  for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(b[at + k]);
  return v;
}

std::string zipErrorString(int code) {
  zip_error_t err;
  zip_error_init_with_code(&err, code);
  std::string msg = zip_error_strerror(&err);
  zip_error_fini(&err);
  return msg;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace

const char* npyDescr(NpyType t) { return info(t).descr; }
const char* npyTypeName(NpyType t) { return info(t).name; }
size_t npyTypeSize(NpyType t) { return info(t).size; }

std::string shapeString(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    s += std::to_string(shape[i]);
  }
  if (shape.size() == 1) s += ",";
  return s + ")";
}

size_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || !multiplyChecked(n, d, n)) MNEMO_FAIL("array shape " << shapeString(shape) << " has no valid element count");
  return static_cast<size_t>(n);
}

std::vector<double> NpyArray::toDoubles() const {
  std::vector<double> out(size());
  const unsigned char* p = bytes.data();
  for (size_t i = 0; i < out.size(); ++i) {
    switch (dtype) {
      case NpyType::Float32: { float v; std::memcpy(&v, p + 4 * i, 4); out[i] = v; break; }
      case NpyType::Float64: { double v; std::memcpy(&v, p + 8 * i, 8); out[i] = v; break; }
      case NpyType::Int32: { int32_t v; std::memcpy(&v, p + 4 * i, 4); out[i] = double(v); break; }
      case NpyType::Int64: { int64_t v; std::memcpy(&v, p + 8 * i, 8); out[i] = double(v); break; }
      case NpyType::UInt8: out[i] = p[i]; break;
    }
  }
  return out;
}

std::string encodeNpy(const NpyArray& array) {
  MNEMO_CHECK(array.bytes.size() == array.size() * npyTypeSize(array.dtype),
              "encodeNpy: " << array.bytes.size() << " bytes for shape "
                            << shapeString(array.shape));
  std::string dict = std::string("{'descr': '") + npyDescr(array.dtype) +
                     "', 'fortran_order': False, 'shape': " + shapeString(array.shape) + ", }";
  // Pad with spaces and end with '\n' so that magic + version + length + header is a multiple of
  // 64 bytes (the alignment NumPy itself writes).
  size_t total = kMagicLen + 2 + 2 + dict.size() + 1;
  size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict += '\n';
  if (dict.size() > 0xFFFF) MNEMO_FAIL("array shape " << shapeString(array.shape) << " is too long");
  std::string out(kMagic, kMagicLen);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>((dict.size() >> 8) & 0xFF);
  out += dict;
  out.append(reinterpret_cast<const char*>(array.bytes.data()), array.bytes.size());
  return out;
}

NpyArray decodeNpy(const std::string& b, const std::string& what) {
  if (b.size() < kMagicLen + 4 || b.compare(0, kMagicLen, kMagic, kMagicLen) != 0)
    MNEMO_FAIL(what << ": not a .npy array (bad magic)");
  int major = static_cast<unsigned char>(b[6]);
  size_t headerLen, dataStart;
  if (major == 1) {
    headerLen = readLe(b, 8, 2);
    dataStart = 10 + headerLen;
  } else if (major == 2 || major == 3) {
    if (b.size() < 12) MNEMO_FAIL(what << ": truncated .npy header");
    headerLen = readLe(b, 8, 4);
    dataStart = 12 + headerLen;
  } else {
    MNEMO_FAIL(what << ": unsupported .npy format version " << major);
  }
  if (dataStart > b.size()) MNEMO_FAIL(what << ": truncated .npy header");
  std::string header = b.substr(dataStart - headerLen, headerLen);
  std::string descr;
  bool fortran = false;
  NpyArray a;
  HeaderParser(header, what).parse(descr, fortran, a.shape);
  bool known = false;
  for (const NpyTypeInfo& d : kNpyTypes) {
    if (descr == d.descr || (d.size == 1 && descr == std::string("<") + (d.descr + 1))) {
      a.dtype = d.type;
      known = true;
    }
  }
  if (!known)
    MNEMO_FAIL(what << ": unsupported dtype '" << descr
                    << "' (mnemo reads <f4, <f8, <i4, <i8 and |u1)");
  if (fortran && a.shape.size() > 1)
    MNEMO_FAIL(what << ": Fortran-order arrays are not supported");
  // The shape comes from the file: bound it before multiplying, so a huge shape cannot wrap the
  // byte count around to the payload's size.
  checkDims(a.shape, what + " shape " + shapeString(a.shape));
  size_t want = a.size() * npyTypeSize(a.dtype);
  size_t have = b.size() - dataStart;
  if (have != want)
    MNEMO_FAIL(what << ": data has " << have << " bytes, shape " << shapeString(a.shape) << " of "
                    << npyTypeName(a.dtype) << " needs " << want);
  a.bytes.assign(b.begin() + static_cast<std::ptrdiff_t>(dataStart), b.end());
  return a;
}

void NpzArchive::add(const std::string& name, NpyArray array) {
  MNEMO_CHECK(array.bytes.size() == array.size() * npyTypeSize(array.dtype),
              "NpzArchive::add: inconsistent array '" << name << "'");
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      arrays_[i] = std::move(array);
      return;
    }
  }
  names_.push_back(name);
  arrays_.push_back(std::move(array));
}

bool NpzArchive::has(const std::string& name) const {
  for (const std::string& n : names_)
    if (n == name) return true;
  return false;
}

const NpyArray& NpzArchive::get(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return arrays_[i];
  MNEMO_FAIL("'" << source_ << "' has no array '" << name << "'");
}

const NpyArray& NpzArchive::get(const std::string& name, NpyType dtype,
                                const std::vector<int64_t>& shape, bool scalar) const {
  const NpyArray& a = get(name);
  if (a.dtype != dtype)
    MNEMO_FAIL("'" << source_ << "': array '" << name << "' has dtype " << npyTypeName(a.dtype)
                   << ", expected " << npyTypeName(dtype));
  if (!shape.empty() || scalar) {
    bool ok = a.shape.size() == shape.size();
    for (size_t i = 0; ok && i < shape.size(); ++i)
      ok = shape[i] < 0 || shape[i] == a.shape[i];
    if (!ok)
      MNEMO_FAIL("'" << source_ << "': array '" << name << "' has shape " << shapeString(a.shape)
                     << ", expected " << shapeString(shape));
  }
  return a;
}

std::vector<std::string> NpzArchive::names() const { return names_; }

namespace {
/// The bytes of a .npz file holding `archive`, built in memory by libzip (so nothing but the
/// target itself is ever written on disk).
std::string encodeNpz(const std::string& path, const NpzArchive& archive, bool compress) {
  if (archive.size() == 0) return std::string("PK\x05\x06", 4) + std::string(18, '\0');  // the empty zip
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* memory = zip_source_buffer_create(nullptr, 0, 0, &error);
  if (!memory) MNEMO_FAIL("cannot write '" << path << "': " << zip_error_strerror(&error));
  zip_source_keep(memory);  // still needed after zip_close, to read the result
  std::unique_ptr<zip_source_t, void (*)(zip_source_t*)> keep(memory, zip_source_free);
  zip_t* raw = zip_open_from_source(memory, ZIP_TRUNCATE, &error);
  if (!raw) MNEMO_FAIL("cannot write '" << path << "': " << zip_error_strerror(&error));
  std::unique_ptr<zip_t, ZipCloser> z(raw);
  // libzip reads the buffers only at zip_close, so they must outlive it.
  std::vector<std::string> buffers;
  buffers.reserve(archive.size());
  for (const std::string& name : archive.names()) {
    buffers.push_back(encodeNpy(archive.get(name)));
    const std::string& buf = buffers.back();
    zip_source_t* src = zip_source_buffer(z.get(), buf.data(), buf.size(), 0);
    if (!src) MNEMO_FAIL("cannot write '" << path << "': " << zip_strerror(z.get()));
    std::string entry = name + ".npy";
    zip_int64_t idx = zip_file_add(z.get(), entry.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (idx < 0) {
      zip_source_free(src);
      MNEMO_FAIL("cannot write '" << path << "': " << zip_strerror(z.get()));
    }
    if (zip_set_file_compression(z.get(), static_cast<zip_uint64_t>(idx),
                                 compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE, 0) != 0)
      MNEMO_FAIL("cannot write '" << path << "': " << zip_strerror(z.get()));
  }
  if (zip_close(z.get()) != 0) MNEMO_FAIL("cannot write '" << path << "': " << zip_strerror(z.get()));
  z.release();  // zip_close freed it
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_source_stat(memory, &st) != 0 || zip_source_open(memory) != 0)
    MNEMO_FAIL("cannot write '" << path << "': " << zip_error_strerror(zip_source_error(memory)));
  std::string bytes(static_cast<size_t>(st.size), '\0');
  zip_int64_t got = bytes.empty() ? 0 : zip_source_read(memory, &bytes[0], st.size);
  zip_source_close(memory);
  if (got != static_cast<zip_int64_t>(st.size)) MNEMO_FAIL("cannot write '" << path << "': short read of the archive");
  return bytes;
}
}  // namespace

void writeNpz(const std::string& path, const NpzArchive& archive, bool compress) {
  writeFileAtomic(path, encodeNpz(path, archive, compress));
}

namespace {

/// The archive at \p path, opened for reading; a one-line error if it is missing or not a zip.
std::unique_ptr<zip_t, ZipCloser> openNpz(const std::string& path) {
  int code = 0;
  zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (!raw) {
    if (code == ZIP_ER_NOENT || code == ZIP_ER_OPEN)
      MNEMO_FAIL("cannot read '" << path << "': " << zipErrorString(code));
    MNEMO_FAIL("'" << path << "' is not a valid .npz file (" << zipErrorString(code) << ")");
  }
  return std::unique_ptr<zip_t, ZipCloser>(raw);
}

/// Member \p i's directory entry, and its array name (the member's name without ".npy").
std::string memberArrayName(zip_t* z, zip_int64_t i, const std::string& path, zip_stat_t& st) {
  zip_stat_init(&st);
  if (zip_stat_index(z, static_cast<zip_uint64_t>(i), 0, &st) != 0)
    MNEMO_FAIL("'" << path << "' is corrupt: " << zip_strerror(z));
  std::string entry = st.name ? st.name : "";
  if (entry.size() < 5 || entry.compare(entry.size() - 4, 4, ".npy") != 0)
    MNEMO_FAIL("'" << path << "': member '" << entry << "' is not a .npy array");
  return entry.substr(0, entry.size() - 4);
}

}  // namespace

std::vector<std::string> readNpzNames(const std::string& path) {
  std::unique_ptr<zip_t, ZipCloser> z = openNpz(path);
  std::vector<std::string> names;
  zip_stat_t st;
  for (zip_int64_t i = 0, n = zip_get_num_entries(z.get(), 0); i < n; ++i)
    names.push_back(memberArrayName(z.get(), i, path, st));
  return names;
}

NpzArchive readNpz(const std::string& path) {
  std::unique_ptr<zip_t, ZipCloser> z = openNpz(path);
  NpzArchive archive(path);
  zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    std::string name = memberArrayName(z.get(), i, path, st);
    std::string what = "'" + path + "': array '" + name + "'";
    std::unique_ptr<zip_file_t, ZipFileCloser> f(
        zip_fopen_index(z.get(), static_cast<zip_uint64_t>(i), 0));
    if (!f) MNEMO_FAIL(what << " cannot be opened: " << zip_strerror(z.get()));
    // The size is what the archive claims; a deflated member can claim far more than the file.
    checkMemoryBudget(static_cast<size_t>(st.size), what);
    std::string bytes;
    bytes.resize(static_cast<size_t>(st.size));
    zip_int64_t got = 0;
    while (got < static_cast<zip_int64_t>(st.size)) {
      zip_int64_t r = zip_fread(f.get(), &bytes[static_cast<size_t>(got)], st.size - got);
      if (r < 0) MNEMO_FAIL(what << " is corrupt: " << zip_file_strerror(f.get()));
      if (r == 0) break;
      got += r;
    }
    if (got != static_cast<zip_int64_t>(st.size))
      MNEMO_FAIL(what << " is truncated (" << got << " of " << st.size << " bytes)");
    // Reading past the end makes libzip verify the CRC of the whole member.
    char extra;
    if (zip_fread(f.get(), &extra, 1) < 0)
      MNEMO_FAIL(what << " is corrupt: " << zip_file_strerror(f.get()));
    archive.add(name, decodeNpy(bytes, what));
  }
  return archive;
}

}  // namespace mnemo
