// Reading the neurogym reference .npz files and their JSON strings (see golden_reader.h).
#include "tests/tasks/golden_reader.h"

#include <zip.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "support/error.h"

namespace mnemo::golden {

namespace {

class JsonParser {
 public:
  explicit JsonParser(const std::string& s) : s_(s) {}

  Json document() {
    Json v = value();
    skip();
    if (i_ != s_.size()) fail("trailing text");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    MNEMO_FAIL("JSON: " << what << " at offset " << i_ << " of '" << s_.substr(0, 80) << "'");
  }
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
  }
  bool take(const char* word) {
    const std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  std::string stringBody() {
    ++i_;  // opening quote
    std::string out;
    while (i_ < s_.size() && s_[i_] != '"') {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) fail("unterminated escape");
        char e = s_[i_++];
        if (e == 'n') out += '\n';
        else if (e == 't') out += '\t';
        else if (e == 'u') {
          if (i_ + 4 > s_.size()) fail("short \\u escape");
          const unsigned code = static_cast<unsigned>(std::stoul(s_.substr(i_, 4), nullptr, 16));
          i_ += 4;
          if (code >= 0x80) fail("non-ASCII \\u escape");
          out += static_cast<char>(code);
        } else out += e;  // \" \\ \/
      } else {
        out += c;
      }
    }
    if (i_ >= s_.size()) fail("unterminated string");
    ++i_;
    return out;
  }
  Json value() {
    skip();
    if (i_ >= s_.size()) fail("unexpected end");
    Json v;
    const char c = s_[i_];
    if (c == '{') {
      v.type = Json::Type::Object;
      ++i_;
      skip();
      if (i_ < s_.size() && s_[i_] == '}') return ++i_, v;
      while (true) {
        skip();
        if (i_ >= s_.size() || s_[i_] != '"') fail("expected a key");
        std::string key = stringBody();
        skip();
        if (i_ >= s_.size() || s_[i_] != ':') fail("expected ':'");
        ++i_;
        v.fields.emplace_back(key, value());
        skip();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == '}') { ++i_; return v; }
        fail("expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.type = Json::Type::Array;
      ++i_;
      skip();
      if (i_ < s_.size() && s_[i_] == ']') return ++i_, v;
      while (true) {
        v.items.push_back(value());
        skip();
        if (i_ < s_.size() && s_[i_] == ',') { ++i_; continue; }
        if (i_ < s_.size() && s_[i_] == ']') { ++i_; return v; }
        fail("expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.type = Json::Type::String;
      v.text = stringBody();
      return v;
    }
    if (take("null")) return v;
    if (take("true") || take("false")) {
      v.type = Json::Type::Bool;
      v.boolean = s_[i_ - 1] == 'e' && s_.compare(i_ - 4, 4, "true") == 0;
      return v;
    }
    if (take("NaN")) {
      v.type = Json::Type::Number;
      v.number = std::nan("");
      v.text = "NaN";
      return v;
    }
    const char* begin = s_.c_str() + i_;
    char* end = nullptr;
    v.number = std::strtod(begin, &end);
    if (end == begin) fail("unexpected character");
    v.type = Json::Type::Number;
    v.text = std::string(begin, static_cast<const char*>(end));
    i_ += static_cast<size_t>(end - begin);
    return v;
  }

  const std::string& s_;
  size_t i_ = 0;
};

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

std::string readMember(zip_t* z, zip_uint64_t index, const std::string& what) {
  zip_stat_t st;
  if (zip_stat_index(z, index, 0, &st) != 0) MNEMO_FAIL(what << ": cannot stat");
  zip_file_t* f = zip_fopen_index(z, index, 0);
  if (!f) MNEMO_FAIL(what << ": cannot open");
  std::string bytes(static_cast<size_t>(st.size), '\0');
  const zip_int64_t got = zip_fread(f, bytes.data(), st.size);
  zip_fclose(f);
  if (got != static_cast<zip_int64_t>(st.size)) MNEMO_FAIL(what << ": short read");
  return bytes;
}

/// The header dict of a .npy file and the offset of its data.
std::string npyHeader(const std::string& bytes, size_t& dataOffset, const std::string& what) {
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) MNEMO_FAIL(what << ": not a .npy");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t len, start;
  if (major == 1) {
    len = static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    start = 10;
  } else {
    len = 0;
    for (int k = 0; k < 4; ++k) len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + k])) << (8 * k);
    start = 12;
  }
  dataOffset = start + len;
  if (dataOffset > bytes.size()) MNEMO_FAIL(what << ": truncated header");
  return bytes.substr(start, len);
}

std::string quotedAfter(const std::string& header, const std::string& key, const std::string& what) {
  const size_t k = header.find("'" + key + "': '");
  if (k == std::string::npos) MNEMO_FAIL(what << ": header lacks " << key);
  const size_t b = k + key.size() + 5;
  return header.substr(b, header.find('\'', b) - b);
}

size_t elementCount(const std::string& header, const std::string& what) {
  const size_t k = header.find("'shape': (");
  if (k == std::string::npos) MNEMO_FAIL(what << ": header lacks shape");
  size_t n = 1;
  const std::string dims = header.substr(k + 10, header.find(')', k) - k - 10);
  size_t pos = 0;
  while (pos < dims.size()) {
    const size_t comma = dims.find(',', pos);
    const std::string item = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (item.find_first_not_of(' ') != std::string::npos) n *= std::stoul(item);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return n;
}

/// UTF-32LE code points (NUL-padded) to UTF-8.
std::string utf32ToUtf8(const unsigned char* p, size_t chars) {
  std::string out;
  for (size_t i = 0; i < chars; ++i) {
    const uint32_t c = p[4 * i] | (p[4 * i + 1] << 8) | (p[4 * i + 2] << 16) | (static_cast<uint32_t>(p[4 * i + 3]) << 24);
    if (c == 0) break;
    if (c < 0x80) out += static_cast<char>(c);
    else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace

Json Json::parse(const std::string& text) { return JsonParser(text).document(); }

const Json* Json::find(const std::string& key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return &v;
  return nullptr;
}

const std::vector<std::string>& GoldenArchive::str(const std::string& name) const {
  auto it = strings.find(name);
  if (it == strings.end()) MNEMO_FAIL(path << ": no string array '" << name << "'");
  return it->second;
}

GoldenArchive readGolden(const std::string& path) {
  GoldenArchive out;
  out.path = path;
  out.numeric = NpzArchive(path);
  int code = 0;
  std::unique_ptr<zip_t, ZipCloser> z(zip_open(path.c_str(), ZIP_RDONLY, &code));
  if (!z) MNEMO_FAIL("cannot open '" << path << "' (zip error " << code << ")");
  const zip_int64_t n = zip_get_num_entries(z.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    std::string name = zip_get_name(z.get(), static_cast<zip_uint64_t>(i), 0);
    const std::string what = path + ":" + name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    const std::string bytes = readMember(z.get(), static_cast<zip_uint64_t>(i), what);
    size_t offset = 0;
    const std::string header = npyHeader(bytes, offset, what);
    const std::string descr = quotedAfter(header, "descr", what);
    const size_t count = elementCount(header, what);
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data()) + offset;
    if (descr.size() > 2 && descr.compare(0, 2, "<U") == 0) {
      const size_t chars = std::stoul(descr.substr(2));
      if (offset + count * chars * 4 > bytes.size()) MNEMO_FAIL(what << ": truncated data");
      std::vector<std::string>& v = out.strings[name];
      for (size_t k = 0; k < count; ++k) v.push_back(utf32ToUtf8(data + k * chars * 4, chars));
    } else if (descr == "|b1") {
      if (offset + count > bytes.size()) MNEMO_FAIL(what << ": truncated data");
      out.bools[name].assign(data, data + count);
    } else {
      out.numeric.add(name, decodeNpy(bytes, what));
    }
  }
  return out;
}

std::string goldenDir(const std::string& leaf) {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("MNEMO_NEUROGYM_GOLDEN")) return (fs::path(env) / leaf).string();
  const fs::path src(MNEMO_SOURCE_DIR);
  for (const fs::path& base : {src / ".." / "shared" / "golden", src / ".." / ".." / "shared" / "golden",
                               fs::path("/work/shared/golden")}) {
    if (fs::is_directory(base / leaf)) return (base / leaf).lexically_normal().string();
  }
  return "";
}

}  // namespace mnemo::golden
