// Tests for the .npz writer/reader: round trips of every dtype and shape, the .npy header
// layout, atomic writes, and clear errors for missing, truncated and corrupt files.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/error.h"
#include "io/npz.h"

using namespace mnemo;

namespace {

// Temporary directories, removed when the test program exits.
struct TempDirs {
  std::vector<std::string> dirs;
  ~TempDirs() {
    for (const std::string& d : dirs) std::filesystem::remove_all(d);
  }
};

std::string tempDir() {
  static TempDirs all;
  char tmpl[] = "/tmp/mnemo_npz_XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  all.dirs.push_back(tmpl);
  return tmpl;
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::vector<std::string> listDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  return names;
}

NpzArchive sample() {
  NpzArchive a;
  std::vector<float> f(2 * 3 * 4);
  for (size_t i = 0; i < f.size(); ++i) f[i] = 0.5f * float(i) - 3.25f;
  a.add("inputs", NpyArray::from({2, 3, 4}, f));
  a.add("labels", NpyArray::from<int64_t>({5}, std::vector<int64_t>{0, 1, 2, -1, 1LL << 40}));
  a.add("ratios", NpyArray::from<double>({2, 2}, std::vector<double>{0.1, -2.5, 1e300, 3}));
  a.add("ids", NpyArray::from<int32_t>({3, 1}, std::vector<int32_t>{7, -8, 9}));
  a.add("bytes", NpyArray::from<uint8_t>({4}, std::vector<uint8_t>{0, 1, 254, 255}));
  a.add("dt", NpyArray::scalar(100.0));
  a.add("empty", NpyArray::from<float>({0, 3}, std::vector<float>{}));
  return a;
}

}  // namespace

TEST_CASE("npy header: v1.0, 64-byte aligned, NumPy's dict", "[task][npz]") {
  std::string b = encodeNpy(NpyArray::from<float>({3, 4}, std::vector<float>(12, 1.0f)));
  REQUIRE(b.compare(0, 6, "\x93NUMPY") == 0);
  CHECK(b[6] == 1);
  CHECK(b[7] == 0);
  const size_t headerLen = static_cast<unsigned char>(b[8]) | (static_cast<unsigned char>(b[9]) << 8);
  CHECK((10 + headerLen) % 64 == 0);
  CHECK(b[10 + headerLen - 1] == '\n');
  CHECK(b.find("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }") == 10);
  CHECK(b.size() == 10 + headerLen + 48);
  CHECK(encodeNpy(NpyArray::scalar<int64_t>(3)).find("'shape': (), ") != std::string::npos);
  CHECK(encodeNpy(NpyArray::from<int32_t>({5}, std::vector<int32_t>(5))).find("'<i4'") != std::string::npos);
  CHECK(shapeString({7}) == "(7,)");
}

TEST_CASE("npz: write then read back every dtype and shape", "[task][npz]") {
  const std::string dir = tempDir();
  for (bool compress : {false, true}) {
    const std::string path = dir + (compress ? "/c.npz" : "/a.npz");
    NpzArchive a = sample();
    writeNpz(path, a, compress);
    NpzArchive b = readNpz(path);
    REQUIRE(b.names() == a.names());
    for (const std::string& n : a.names()) {
      INFO(n);
      CHECK(b.get(n).dtype == a.get(n).dtype);
      CHECK(b.get(n).shape == a.get(n).shape);
      CHECK(b.get(n).bytes == a.get(n).bytes);
    }
    CHECK(b.get("labels", NpyType::Int64, {5}).values<int64_t>()[4] == (1LL << 40));
    CHECK(b.get("inputs", NpyType::Float32, {-1, 3, 4}).values<float>()[1] == -2.75f);
    CHECK(b.get("dt", NpyType::Float64, {}, true).values<double>()[0] == 100.0);
    CHECK(b.get("ids").toDoubles() == std::vector<double>{7, -8, 9});
  }
  // Overwriting is atomic and leaves no temporary files behind.
  writeNpz(dir + "/a.npz", sample());
  std::vector<std::string> files = listDir(dir);
  CHECK(files.size() == 2);
  NpzArchive empty;
  writeNpz(dir + "/e.npz", empty);
  CHECK(readNpz(dir + "/e.npz").size() == 0);
  // The names alone, from the archive's directory.
  CHECK(readNpzNames(dir + "/c.npz") == sample().names());
  CHECK(readNpzNames(dir + "/e.npz").empty());
  writeAll(dir + "/text.npz", "not a zip archive\n");
  CHECK_THROWS_WITH(readNpzNames(dir + "/text.npz"), Catch::Contains("not a valid .npz"));
}

TEST_CASE("npz: wrong dtype, shape or name are one-line errors naming the file", "[task][npz]") {
  const std::string dir = tempDir(), path = dir + "/a.npz";
  writeNpz(path, sample());
  NpzArchive b = readNpz(path);
  auto message = [&](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message([&] { b.get("inputs", NpyType::Float64); });
  CHECK(m.find(path) != std::string::npos);
  CHECK(m.find("float32") != std::string::npos);
  CHECK(m.find('\n') == std::string::npos);
  m = message([&] { b.get("inputs", NpyType::Float32, {2, 3, 5}); });
  CHECK(m.find("(2, 3, 4)") != std::string::npos);
  m = message([&] { b.get("nope"); });
  CHECK(m.find("nope") != std::string::npos);
  m = message([&] { b.get("labels").values<float>(); });
  CHECK(m.find("int64") != std::string::npos);
}

TEST_CASE("npz: missing, truncated and corrupt files give a clear mnemo::Error", "[task][npz]") {
  const std::string dir = tempDir(), path = dir + "/a.npz";
  writeNpz(path, sample());
  const std::string good = readAll(path);
  auto expectError = [&](const std::string& file, const std::string& fragment) {
    try {
      readNpz(file);
      FAIL("no error for " << file);
    } catch (const Error& e) {
      const std::string m = e.what();
      INFO(m);
      CHECK(m.find(file) != std::string::npos);
      CHECK(m.find(fragment) != std::string::npos);
      CHECK(m.find('\n') == std::string::npos);
    }
  };
  expectError(dir + "/missing.npz", "cannot read");

  for (size_t cut : {size_t(0), size_t(10), good.size() / 2, good.size() - 5}) {
    writeAll(dir + "/t.npz", good.substr(0, cut));
    expectError(dir + "/t.npz", "not a valid .npz");
  }

  // Flip a byte inside the first member's data: its CRC no longer matches.
  std::string bad = good;
  const size_t at = good.find("\x93NUMPY") + 200;
  bad[at] = static_cast<char>(bad[at] ^ 0x5a);
  writeAll(dir + "/crc.npz", bad);
  expectError(dir + "/crc.npz", "corrupt");

  writeAll(dir + "/text.npz", "hello, this is not a zip archive at all\n");
  expectError(dir + "/text.npz", "not a valid .npz");
}

TEST_CASE("npy decoding rejects bad headers and sizes", "[task][npz]") {
  std::string good = encodeNpy(NpyArray::from<float>({2}, std::vector<float>{1, 2}));
  CHECK_THROWS_AS(decodeNpy("junk", "x"), Error);
  CHECK_THROWS_AS(decodeNpy(good.substr(0, good.size() - 1), "x"), Error);  // short data
  std::string big = good;
  big.replace(big.find("<f4"), 3, ">f4");
  CHECK_THROWS_WITH(decodeNpy(big, "x"), Catch::Contains("unsupported dtype"));
  std::string fortran = encodeNpy(NpyArray::from<float>({2, 1}, std::vector<float>{1, 2}));
  fortran.replace(fortran.find("False"), 5, "True ");
  CHECK_THROWS_WITH(decodeNpy(fortran, "x"), Catch::Contains("Fortran"));
  NpyArray back = decodeNpy(good, "x");
  CHECK(back.values<float>() == std::vector<float>{1, 2});
}
