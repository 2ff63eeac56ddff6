// Text escaping and atomic file writes (see text.h).
#include "support/text.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/error.h"
#include "support/limits.h"

namespace mnemo {

std::string xmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

namespace {

/// The length of the well-formed UTF-8 sequence at \p text[at] (Unicode's table of valid byte
/// sequences: no overlong forms, surrogates or code points past U+10FFFF), 0 if there is none.
size_t utf8SequenceLength(const std::string& text, size_t at) {
  auto byte = [&](size_t k) { return at + k < text.size() ? static_cast<unsigned char>(text[at + k]) : 0; };
  const unsigned char lead = byte(0);
  auto continues = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return byte(k) >= lo && byte(k) <= hi;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return continues(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const unsigned char lo = lead == 0xe0 ? 0xa0 : 0x80, hi = lead == 0xed ? 0x9f : 0xbf;
    return continues(1, lo, hi) && continues(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const unsigned char lo = lead == 0xf0 ? 0x90 : 0x80, hi = lead == 0xf4 ? 0x8f : 0xbf;
    return continues(1, lo, hi) && continues(2) && continues(3) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::string printable(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const unsigned char u = static_cast<unsigned char>(text[i]);
    const size_t length = u < 0x80 ? 1 : utf8SequenceLength(text, i);
    // Kept: printable ASCII and whole UTF-8 characters other than the C1 controls U+0080-U+009F
    // (0xc2 0x80-0x9f), which some terminals obey like ESC sequences.
    const bool c1 = length == 2 && u == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
    if (length > 1 && !c1) {
      out.append(text, i, length);
      i += length;
    } else if (length == 1 && u >= 0x20 && u != 0x7f) {
      out += text[i++];
    } else {  // a control byte, or a byte of no well-formed character: escaped, one at a time
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
      ++i;
    }
  }
  return out;
}

std::string readFileText(const std::string& path, const std::string& what) {
  if (path.empty()) MNEMO_FAIL((what.empty() ? std::string() : what + ": ") << "an empty file name");
  if (outputKind(path) == OutputKind::Directory) MNEMO_FAIL(what << ": it is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) MNEMO_FAIL(what << ": cannot open file");
  std::string text;
  char chunk[65536];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<size_t>(in.gcount()));
    if (static_cast<int64_t>(text.size()) > limits::kMaxTextFileBytes)
      MNEMO_FAIL(what << ": longer than " << (limits::kMaxTextFileBytes >> 20) << " MiB, the limit for a text file (is it one?)");
  }
  if (in.bad()) MNEMO_FAIL(what << ": cannot read file");
  return text;
}

std::string temporaryPathFor(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  return path + ".tmp." + std::to_string(static_cast<long>(::getpid())) + "." +
         std::to_string(counter.fetch_add(1));
}

void commitTemporary(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    int err = errno;
    std::remove(from.c_str());
    MNEMO_FAIL("cannot write '" << to << "': " << std::strerror(err));
  }
}

namespace {

/// Writes `content` straight into the existing non-regular file `path` (a device node, a FIFO):
/// such a file is the user's chosen sink, never something to replace.
void writeInPlace(const std::string& path, const std::string& content) {
  // O_NONBLOCK: a FIFO with no reader fails (ENXIO) instead of blocking forever.
  int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    MNEMO_FAIL("cannot write '" << path << "': " << (err == ENXIO ? "no process is reading it" : std::strerror(err)));
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      ::close(fd);
      MNEMO_FAIL("cannot write '" << path << "': " << std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) MNEMO_FAIL("cannot write '" << path << "': " << std::strerror(errno));
}

}  // namespace

void makeDirectories(const std::string& dir, const std::string& what) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!ec && outputKind(dir) == OutputKind::Directory) return;
  MNEMO_FAIL(what << " " << dir << ": cannot create the directory ("
                  << (ec ? ec.message() : std::string("a file of that name is in the way")) << ")");
}

OutputKind outputKind(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return OutputKind::Missing;
  if (S_ISREG(st.st_mode)) return OutputKind::Regular;
  if (S_ISDIR(st.st_mode)) return OutputKind::Directory;
  return OutputKind::Special;
}

void writeFileAtomic(const std::string& path, const std::string& content) {
  switch (outputKind(path)) {
    case OutputKind::Directory: MNEMO_FAIL("cannot write '" << path << "': it is a directory");
    case OutputKind::Special: return writeInPlace(path, content);
    case OutputKind::Missing:
    case OutputKind::Regular: break;
  }
  // A symbolic link is replaced at its target, so the link itself stays as the user made it.
  std::string target = path;
  char resolved[PATH_MAX];
  struct stat lst;
  if (::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode) && ::realpath(path.c_str(), resolved)) target = resolved;
  std::string tmp = temporaryPathFor(target);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) MNEMO_FAIL("cannot write '" << path << "': " << std::strerror(errno));
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) {
      std::remove(tmp.c_str());
      MNEMO_FAIL("cannot write '" << path << "': write failed");
    }
  }
  commitTemporary(tmp, target);
}

}  // namespace mnemo
