// Hostile input fed to the libraries: every limit of support/limits.h is hit with the exact bad
// input that used to crash, hang or allocate without bound, and each gives a one-line error that
// names the input and the limit.
#include <catch2/catch.hpp>

#include <zip.h>

#include <string>

#include "frontend/dsl/parser.h"
#include "support/error.h"
#include "support/limits.h"
#include "frontend/ir/parser.h"
#include "graph/types.h"
#include "io/npz.h"
#include "raw_npy.h"
#include "support/text.h"
#include "tasks/timing.h"

using namespace mnemo;
using mnemo::testing::rawNpy;

namespace {
std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("limits: a .npy shape whose byte count wraps to 0 is refused, not read", "[limits][npz]") {
  // 2^32 * 2^32 one-byte elements wrap a 64-bit size to 0, which an empty payload would match.
  std::string bytes = rawNpy("{'descr': '|u1', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "");
  std::string msg = errorOf([&] { decodeNpy(bytes, "'x.npz': array 'inputs'"); });
  CHECK(msg.find("'x.npz': array 'inputs'") != std::string::npos);
  CHECK(msg.find("limit") != std::string::npos);
  // A rank beyond the limit is refused too.
  std::string deep = rawNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1,1), }", "\0\0\0\0");
  CHECK(errorOf([&] { decodeNpy(deep, "deep"); }).find("rank 10 exceeds the limit of 8") != std::string::npos);
}

TEST_CASE("limits: TensorType::numel refuses an overflowing product", "[limits]") {
  TensorType t = TensorType::f32({4294967296, 4294967296});
  CHECK(errorOf([&] { (void)t.numel(); }).find("overflows") != std::string::npos);
  CHECK(TensorType::f32({3, 4}).numel() == 12);
  CHECK(dimsProblem({2147483648}).find("exceeds the limit of 2147483647") != std::string::npos);
  CHECK(dimsProblem({65536, 65536, 65536}).find("elements (the limit)") != std::string::npos);
  CHECK(dimsProblem({16, 64}).empty());
}

TEST_CASE("limits: a .gir type with an absurd dimension is refused at its location", "[limits][parser]") {
  std::string text = "graph @g {\n  %x = input : f32[4294967296,4294967296]\n  return %x\n}\n";
  std::string msg = errorOf([&] { parseGraph(text, "big.gir"); });
  CHECK(msg.rfind("big.gir:2:", 0) == 0);
  CHECK(msg.find("exceeds the limit of 2147483647") != std::string::npos);
}

TEST_CASE("limits: fused regions nested 10000 deep are refused, not recursed into", "[limits][parser]") {
  const int levels = 10000;
  std::string text = "graph @g {\n  %x = input : f32[2]\n";
  std::string operand = "%x";
  for (int i = 0; i < levels; ++i) {
    text += "  %f" + std::to_string(i) + " = fused(" + operand + ") {kind=\"elementwise\"} : f32[2] {\n";
    text += "  %p" + std::to_string(i) + " = input : f32[2]\n";
    operand = "%p" + std::to_string(i);
  }
  std::string msg = errorOf([&] { parseGraph(text, "nested.gir"); });
  CHECK(msg.rfind("nested.gir:", 0) == 0);
  CHECK(msg.find("nest more than 256 deep") != std::string::npos);
}

TEST_CASE("limits: 10000 nested parentheses or a 10000-term chain in a model are refused", "[limits][dsl]") {
  const std::string head = "model deep\nsize I = 2, H = 4, O = 3\nconst a = ";
  std::string parens = head + std::string(10000, '(') + "1" + std::string(10000, ')') + "\n";
  std::string chain = head;
  for (int i = 0; i < 10000; ++i) chain += "1 + ";
  chain += "1\n";
  std::string negs = head + std::string(10000, '-') + "1\n";
  for (const std::string& text : {parens, chain, negs}) {
    std::string msg = errorOf([&] { parseDsl(text, "deep.mnemo"); });
    CHECK(msg.rfind("deep.mnemo:3:", 0) == 0);
    CHECK(msg.find("nests deeper than 256 levels (the limit)") != std::string::npos);
  }
  // Within the limit, deep nesting still parses.
  CHECK_NOTHROW(parseDsl(head + std::string(100, '(') + "1" + std::string(100, ')') + "\n", "ok.mnemo"));
}

TEST_CASE("limits: an unsatisfiable truncated exponential is refused, naming the spec", "[limits][timing]") {
  std::string msg = errorOf([] { TimingSpec::parse("truncexp:1,1000,2000"); });
  CHECK(msg.find("truncated_exponential(1, 1000, 2000)") != std::string::npos);
  CHECK(msg.find("probability") != std::string::npos);
  // A window that is merely narrow still samples, and always inside it.
  TimingSpec ok = TimingSpec::parse("truncexp:100,200,300");
  Rng rng(7);
  for (int i = 0; i < 1000; ++i) {
    double v = ok.sample(rng, 0);
    CHECK((v >= 200 && v < 300));
  }
}

TEST_CASE("limits: byte sizes for --max-memory and the memory budget", "[limits]") {
  CHECK(parseByteSize("512M", "--max-memory") == size_t{512} << 20);
  CHECK(parseByteSize("1.5G", "--max-memory") == size_t{3} << 29);
  CHECK(parseByteSize("1000", "--max-memory") == 1000);
  for (const char* bad : {"", "-1", "1X", "nan", "G", "1e300G"})
    CHECK(errorOf([&] { parseByteSize(bad, "--max-memory"); }).find("bad --max-memory") != std::string::npos);
  setMemoryLimitBytes(size_t{1} << 20);
  std::string msg = errorOf([] { checkMemoryBudget(size_t{1} << 30, "graph @g"); });
  setMemoryLimitBytes(0);
  CHECK(msg.find("graph @g needs 1.00 GiB of memory, more than the limit of 1.00 MiB (--max-memory)") != std::string::npos);
  CHECK(memoryLimitBytes() > 0);
}

TEST_CASE("limits: control bytes are shown as escapes", "[limits]") {
  CHECK(printable("a\x1b[2Jb\n") == "a\\x1b[2Jb\\x0a");
  CHECK(printable("plain") == "plain");
}

TEST_CASE("fuzz finding: a value named by a 21-digit number is an ordinary name", "[limits][fuzz]") {
  // fuzz_gir crash: the name overflowed std::stoll in Graph::uniqueName (std::out_of_range).
  std::string text = "graph @g {\n  %777777777777777777777 = input : f32[2]\n  %y = add(%x, %x) : f32[3]\n}\n";
  CHECK(errorOf([&] { parseGraph(text, "f.gir"); }) == "f.gir:3:12: undefined value '%x'");
  auto g = parseGraph("graph @g {\n  %777777777777777777777 = input : f32[2]\n  return %777777777777777777777\n}\n", "ok.gir");
  CHECK(g->find("777777777777777777777") != nullptr);
}
