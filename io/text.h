// Small text and file helpers shared by mnemo's writers: XML and JSON string escaping, and an
// atomic whole-file write (temporary file in the same directory, then rename).
#pragma once

#include <string>

namespace mnemo {

/// Escapes &, <, >, " and ' for use in XML/SVG text and attribute values.
std::string xmlEscape(const std::string& text);

/// Returns `text` as a JSON string literal, quotes included ("a\"b\n" style escapes; control
/// characters as \u00XX). Bytes >= 0x80 are passed through, so UTF-8 stays UTF-8.
std::string jsonString(const std::string& text);

/// A temporary file name next to `path` (same directory, so a rename onto `path` is atomic).
std::string temporaryPathFor(const std::string& path);

/// Writes `content` to `path` atomically: a reader sees either the old file or the complete new
/// one. Throws mnemo::Error naming the file if it cannot be written.
void writeFileAtomic(const std::string& path, const std::string& content);

/// Renames `from` onto `to` (atomic on POSIX within one file system); throws mnemo::Error and
/// removes `from` on failure.
void commitTemporary(const std::string& from, const std::string& to);

}  // namespace mnemo
