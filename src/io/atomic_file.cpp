#include "mixdist/io/atomic_file.h"

#include <c10/util/Exception.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>  // mkstemps
#include <cstring>
#include <filesystem>

namespace mixdist::io {
namespace {

namespace fs = std::filesystem;

// Permission bits for the new file: those of the file being replaced, so that rewriting a file does not
// change who may read it; 0644 for a new file, since mkstemps' 0600 would hide reports from other users.
mode_t target_mode(const std::string& path) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode)) return info.st_mode & 07777;
  return 0644;
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
      (target.parent_path() / ("." + target.stem().string() + ".tmp-XXXXXX" + extension)).string();
  const int fd = ::mkstemps(temp.data(), static_cast<int>(extension.size()));
  TORCH_CHECK(fd >= 0, "write_file_atomically: cannot create a temporary file next to ", path, ": ",
              std::strerror(errno));
  ::close(fd);
  return temp;
}

void write_all(const std::string& temp, const std::string& path, const std::string& contents) {
  const int fd = ::open(temp.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  TORCH_CHECK(fd >= 0, "write_file_atomically: cannot open ", temp, " (for ", path,
              "): ", std::strerror(errno));
  size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      ::close(fd);
      TORCH_CHECK(false, "write_file_atomically: writing ", temp, " (for ", path,
                  ") failed: ", std::strerror(error));
    }
    done += static_cast<size_t>(n);
  }
  // close() can report a deferred write error (e.g. on NFS), so its result matters.
  TORCH_CHECK(::close(fd) == 0, "write_file_atomically: closing ", temp, " (for ", path,
              ") failed: ", std::strerror(errno));
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
  TORCH_CHECK(chmod_ok, "write_file_atomically: setting the permissions of ", temp, " (for ", path,
              ") failed: ", std::strerror(chmod_error));
  TORCH_CHECK(sync_ok, "write_file_atomically: fsync of ", temp, " (for ", path,
              ") failed: ", std::strerror(sync_error));
  TORCH_CHECK(std::rename(temp.c_str(), path.c_str()) == 0, "write_file_atomically: cannot rename ", temp,
              " to ", path, ": ", std::strerror(errno));
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
