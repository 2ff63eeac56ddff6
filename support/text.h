// Small text and file helpers shared by mnemo's readers and writers: XML and JSON string escaping,
// a whole-file read, and an atomic whole-file write (temporary file in the same directory, then
// rename).
#pragma once

#include <string>

namespace mnemo {

/// Escapes &, <, >, " and ' for use in XML/SVG text and attribute values.
std::string xmlEscape(const std::string& text);

/// Returns `text` as a JSON string literal, quotes included ("a\"b\n" style escapes; control
/// characters as \u00XX). Bytes >= 0x80 are passed through, so UTF-8 stays UTF-8.
std::string jsonString(const std::string& text);

/// \p text with control bytes (ESC, NUL, C1 controls, ...) and bytes that are not part of a
/// well-formed UTF-8 character shown as \xNN, so a message that quotes a file's bytes cannot
/// drive the terminal; valid UTF-8 text (é, µ) is kept as it is.
std::string printable(const std::string& text);

/// The whole contents of the file at \p path. Throws a one-line mnemo::Error "<what>: ..." when it
/// is missing or unreadable, or is a directory (which a stream would read as an empty file).
std::string readFileText(const std::string& path, const std::string& what);

/// A temporary file name next to `path` (same directory, so a rename onto `path` is atomic).
std::string temporaryPathFor(const std::string& path);

/// Creates directory \p dir and its parents if missing; throws a one-line mnemo::Error naming
/// \p what (e.g. "--out") and \p dir when it cannot (a file in the way, no permission).
void makeDirectories(const std::string& dir, const std::string& what);

/// What a path names, for deciding how to write it.
enum class OutputKind { Missing, Regular, Directory, Special };
/// The kind of file at `path`, following symbolic links (Special: a device node, FIFO or socket).
OutputKind outputKind(const std::string& path);

/// Writes `content` to `path` atomically: a reader sees either the old file or the complete new
/// one. Only a regular file (or a new one) is replaced that way; an existing device node or FIFO
/// (/dev/null, /dev/full, a pipe) is written in place, never replaced, and a directory is
/// refused. Throws mnemo::Error naming the file if it cannot be written.
void writeFileAtomic(const std::string& path, const std::string& content);

/// Renames `from` onto `to` (atomic on POSIX within one file system); throws mnemo::Error and
/// removes `from` on failure.
void commitTemporary(const std::string& from, const std::string& to);

}  // namespace mnemo
