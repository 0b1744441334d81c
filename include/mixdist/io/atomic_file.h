#pragma once

/// @file
/// @brief Atomic whole-file writes (temporary file, fsync, rename) and whole-file reads with named errors.
///
/// Whole-file writes that readers never see half done, and whole-file reads with errors that name the file.
///
/// Programs are interrupted (Ctrl-C, a killed job, a full disk) while they write data files, checkpoints,
/// metrics and figures; the next reader (a resumed run, a report, a data loader) must then find either the
/// previous file or the new one, never a torn mixture. Every file the library writes goes through here. The
/// new content goes to a temporary file in the target's folder (so rename() cannot cross file systems), is
/// flushed and fsync()ed, and is then rename()d over the target, which POSIX makes atomic.

#include <cstddef>
#include <functional>
#include <string>

/// @brief Files that readers never see half written: atomic writes and reads with errors that name the file.
namespace mixdist::io {

/// Writes `contents` to `path` atomically: readers see either the previous file or the new one.
///
/// The new file keeps the permission bits of the file it replaces, or gets 0666 less the umask if there was
/// none (as open() would).
/// @param path     the file to write; its folder must exist.
/// @param contents the bytes to write.
/// @throws c10::Error if `path` is empty or names a folder, or on any failure (a full disk, a read-only
///         folder): the temporary file is removed, `path` is left as it was, and the message names `path`,
///         the step and the system's reason, and says what is left: "cannot write run/ckpt.last: writing
///         failed: No space left on device; the previous run/ckpt.last is intact".
///
/// @code
/// mixdist::io::write_file_atomically("run/summary.json", "{}\n");
/// @endcode
void write_file_atomically(const std::string& path, const std::string& contents);

/// Writes `path` atomically with content that `writer` produces at a temporary path (e.g. torch::save).
///
/// An empty file already exists at the temporary path; `writer` may truncate or replace it. The temporary
/// path lies in the same folder as `path`, starts with '.' and keeps `path`'s extension (so writers that pick
/// the format from the extension work).
/// @param path   the file to write; its folder must exist.
/// @param writer writes the whole content to the path it is given.
/// @throws c10::Error as the other overload, or if `writer` is empty or leaves no readable file. If `writer`
///         throws, the temporary file is removed and the writer's exception propagates unchanged.
///
/// @code
/// mixdist::io::write_file_atomically("model.pt", [&](const std::string& tmp) { torch::save(model, tmp); });
/// @endcode
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& tmp_path)>& writer);

/// Removes the temporary files that writes into `folder` leave when their process is killed mid-write.
///
/// Their names are "." + stem + ".tmp-" + 6 characters + extension. Only for a folder no other process is
/// writing into (e.g. under a run-folder lock): it cannot tell a dead writer's file from a live one's.
/// @param folder the folder to clean (not recursive); a missing or unreadable folder counts as empty.
/// @return how many files were removed.
///
/// @code
/// size_t removed = mixdist::io::remove_stale_temp_files("runs/quick");
/// @endcode
size_t remove_stale_temp_files(const std::string& folder);

/// The whole content of `path` as bytes.
///
/// @param path the file to read.
/// @return its bytes.
/// @throws c10::Error naming `path` and the system's reason if it is missing, a folder, or unreadable.
///
/// @code
/// std::string json = mixdist::io::read_file("run/config.json");
/// @endcode
std::string read_file(const std::string& path);

}  // namespace mixdist::io
