#include "mixdist/io/atomic_file.h"

#include <c10/util/Exception.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>  // mkstemps
#include <cstring>
#include <filesystem>
#include <fstream>

namespace mixdist::io {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTempMarker = ".tmp-";  // temporary names: "." + stem + ".tmp-XXXXXX" + extension

// The process's umask, read without changing it (umask() can only be read by setting it, which races with
// other threads creating files); 022 if /proc is not mounted.
mode_t current_umask() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::stoul(line.substr(6), nullptr, 8));
  return 022;
}

// Permission bits for the new file: those of the file being replaced, so that rewriting a file does not
// change who may read it; for a new file, what open() would give (0666 less the umask), since mkstemps'
// 0600 would hide reports from other users.
mode_t target_mode(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) return info.st_mode & 07777;
  return 0666 & ~current_umask();
}

// Why a write failed, and what that leaves: the previous file if there was one. For a full disk this reads
// "cannot write run/ckpt.last: writing failed: No space left on device; the previous run/ckpt.last is
// intact".
[[noreturn]] void fail(const std::string& path, const std::string& step, int error) {
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  TORCH_CHECK(false, "cannot write ", path, ": ", step, " failed: ", std::strerror(error), "; ",
              existed ? "the previous " + path + " is intact" : "nothing was written");
}

// Creates an empty, uniquely named file in `path`'s folder and returns its name. The name starts with '.' so
// that listings and globs skip it, and keeps `path`'s extension for writers that choose a format by it.
std::string create_temp_file_next_to(const std::string& path) {
  TORCH_CHECK(!path.empty(), "write_file_atomically: the path is empty");
  const fs::path target(path);
  TORCH_CHECK(target.has_filename() && target.filename() != "." && target.filename() != "..",
              "write_file_atomically(", path, "): the path names a folder, not a file");
  const std::string extension = target.extension().string();
  std::string temp =
      (target.parent_path() / ("." + target.stem().string() + kTempMarker + "XXXXXX" + extension)).string();
  const int fd = ::mkstemps(temp.data(), static_cast<int>(extension.size()));
  if (fd < 0) fail(path, "creating a temporary file next to it", errno);
  ::close(fd);
  return temp;
}

void write_all(const std::string& temp, const std::string& path, const std::string& contents) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) fail(path, "opening its temporary file " + temp, errno);
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      fail(path, "writing", error);
    }
    done += static_cast<size_t>(n);
  }
  // close() can report a deferred write error (e.g. on NFS), so its result matters.
  if (::close(fd) != 0) fail(path, "closing", errno);
}

// Makes the finished temporary file durable and moves it over `path`.
void publish(const std::string& temp, const std::string& path, mode_t mode) {
  const int fd = ::open(temp.c_str(), O_RDONLY | O_CLOEXEC);
  TORCH_CHECK(fd >= 0, "write_file_atomically(", path, "): the writer left no readable file at ", temp, ": ",
              std::strerror(errno));
  // Without fsync the rename can reach the disk before the data, and a crash then leaves an empty `path`.
  const bool chmod_ok = ::fchmod(fd, mode) == 0;
  const int chmod_error = errno;
  const bool sync_ok = ::fsync(fd) == 0;
  const int sync_error = errno;
  ::close(fd);
  if (!chmod_ok) fail(path, "setting the permissions of " + temp, chmod_error);
  if (!sync_ok) fail(path, "flushing to disk (fsync)", sync_error);
  if (std::rename(temp.c_str(), path.c_str()) != 0) fail(path, "renaming " + temp + " over it", errno);
  // Persist the rename itself. The new file is already in place for every reader, so a failure here is not
  // worth an exception that would suggest the write did not happen.
  const fs::path folder = fs::path(path).parent_path();
  const int dir_fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace

void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& tmp_path)>& writer) {
  TORCH_CHECK(writer, "write_file_atomically(", path, "): the writer is empty");
  const mode_t mode = target_mode(path);
  const std::string temp = create_temp_file_next_to(path);
  try {
    writer(temp);
    publish(temp, path, mode);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_file_atomically(path, [&](const std::string& temp) { write_all(temp, path, contents); });
}

size_t remove_stale_temp_files(const std::string& folder) {
  size_t removed = 0;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    const size_t marker = name.find(kTempMarker);
    if (name.empty() || name[0] != '.' || marker == std::string::npos || !entry.is_regular_file(error))
      continue;
    if (name.size() < marker + std::strlen(kTempMarker) + 6) continue;  // the six characters of mkstemps
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

std::string read_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  TORCH_CHECK(fd >= 0, "read_file: cannot open ", path, ": ", std::strerror(errno));
  std::string contents;
  struct stat info;
  if (::fstat(fd, &info) == 0 && info.st_size > 0) contents.reserve(static_cast<size_t>(info.st_size));
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      TORCH_CHECK(false, "read_file: reading ", path, " failed: ", std::strerror(error));
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

}  // namespace mixdist::io
