// Whole-file writes that readers never see half done, and whole-file reads with errors that name the file.
//
// Programs are interrupted (Ctrl-C, a killed job, a full disk) while they write data files, checkpoints,
// metrics and figures; the next reader (a resumed run, a report, a data loader) must then find either the
// previous file or the new one, never a torn mixture. Every file the library writes goes through here. The
// new content goes to a temporary file in the target's folder (so rename() cannot cross file systems), is
// flushed and fsync()ed, and is then rename()d over the target, which POSIX makes atomic.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace mixdist::io {

// Writes `contents` to `path` atomically (see above). The new file keeps the permission bits of the file it
// replaces, or gets 0666 less the umask if there was none (as open() would). On any failure (a full disk, a
// read-only folder) the temporary file is removed, `path` is left as it was, and a c10::Error is thrown that
// names `path`, the step and the system's reason, and says what is left: "cannot write run/ckpt.last:
// writing failed: No space left on device; the previous run/ckpt.last is intact".
void write_file_atomically(const std::string& path, const std::string& contents);

// Same, but `writer` produces the file's content at the temporary path it is given (an empty file already
// exists there; `writer` may truncate or replace it), e.g. torch::save or a cairo PNG writer. The temporary
// path lies in the same folder as `path`, starts with '.' and keeps `path`'s extension. If `writer` throws,
// the temporary file is removed and the writer's exception propagates unchanged.
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& tmp_path)>& writer);

// Removes the temporary files that writes into `folder` leave when their process is killed mid-write (names
// "." + stem + ".tmp-" + 6 characters + extension) and returns how many. Only for a folder no other process
// is writing into (e.g. under a run-folder lock): it cannot tell a dead writer's file from a live one's.
size_t remove_stale_temp_files(const std::string& folder);

// The whole content of `path` as bytes. Throws a c10::Error naming `path` and the system's reason if it is
// missing, a folder, or unreadable.
std::string read_file(const std::string& path);

}  // namespace mixdist::io
