// Tests of the atomic whole-file writes and reads that every file the library writes goes through.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "mixdist/io/atomic_file.h"
#include "temp_dir.h"
#include "test_util.h"

namespace {

using mixdist::testing::error_message;
using mixdist::testing::TempDir;
using namespace mixdist::io;

using Names = std::vector<std::string>;

mode_t permission_bits(const std::string& path) {
  struct stat info;
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporaryFiles) {
  TempDir dir;
  const std::string path = dir.file("metrics.csv");
  write_file_atomically(path, "first version, longer than the second\n");
  EXPECT_EQ(read_file(path), "first version, longer than the second\n");
  write_file_atomically(path, "second\n");
  EXPECT_EQ(read_file(path), "second\n");
  EXPECT_EQ(dir.entries(), Names{"metrics.csv"});
}

TEST(AtomicFile, KeepsBinaryAndEmptyContentExactly) {
  TempDir dir;
  const std::string binary("a\0b\xff\n\r", 6);
  write_file_atomically(dir.file("blob"), binary);
  EXPECT_EQ(read_file(dir.file("blob")), binary);
  write_file_atomically(dir.file("blob"), std::string());
  EXPECT_EQ(read_file(dir.file("blob")), "");
  EXPECT_EQ(dir.entries(), Names{"blob"});
}

TEST(AtomicFile, WriterGetsAHiddenTemporaryPathBesideTheTarget) {
  TempDir dir;
  const std::string path = dir.file("model.pt");
  std::string seen;
  write_file_atomically(path, [&](const std::string& tmp_path) {
    seen = tmp_path;
    EXPECT_TRUE(std::filesystem::exists(tmp_path));  // created empty before the writer runs
    std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
    out << "weights";
  });
  const std::filesystem::path tmp(seen);
  EXPECT_EQ(tmp.parent_path(), std::filesystem::path(dir.path()));
  EXPECT_EQ(tmp.filename().string().front(), '.') << seen;
  EXPECT_EQ(tmp.extension(), ".pt") << seen;
  EXPECT_NE(tmp.filename(), "model.pt");
  EXPECT_EQ(read_file(path), "weights");
  EXPECT_EQ(dir.entries(), Names{"model.pt"});
}

TEST(AtomicFile, KeepsTheOldFileWhenTheWriterThrows) {
  TempDir dir;
  const std::string path = dir.file("checkpoint.pt");
  write_file_atomically(path, "old");
  EXPECT_THROW(write_file_atomically(path,
                                     [](const std::string& tmp_path) {
                                       std::ofstream(tmp_path) << "half of the new";
                                       throw std::runtime_error("disk full");
                                     }),
               std::runtime_error);
  EXPECT_EQ(read_file(path), "old");
  EXPECT_EQ(dir.entries(), Names{"checkpoint.pt"});
}

TEST(AtomicFile, ErrorNamesThePathWhenTheFolderIsMissing) {
  TempDir dir;
  const std::string path = dir.file("no-such-folder/metrics.csv");
  const std::string message = error_message([&] { write_file_atomically(path, "x"); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find(std::strerror(ENOENT)), std::string::npos) << message;
}

TEST(AtomicFile, ErrorWhenThePathIsAFolderAndNoTemporaryFileIsLeft) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("runs"));
  const std::string message = error_message([&] { write_file_atomically(dir.file("runs"), "x"); });
  EXPECT_NE(message.find(dir.file("runs")), std::string::npos) << message;
  EXPECT_EQ(dir.entries(), Names{"runs"});
}

// Sets the umask for the scope (umask is process-wide: these tests do not create files from other threads).
struct UmaskScope {
  explicit UmaskScope(mode_t mask) : previous(::umask(mask)) {}
  ~UmaskScope() { ::umask(previous); }
  mode_t previous;
};

TEST(AtomicFile, KeepsPermissionsOfTheReplacedFileAndHonoursTheUmaskForANewOne) {
  TempDir dir;
  const std::string path = dir.file("summary.json");
  {
    const UmaskScope umask(022);
    write_file_atomically(path, "{}");
    EXPECT_EQ(permission_bits(path), 0644u);
  }
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  write_file_atomically(path, "{\"a\": 1}");
  EXPECT_EQ(permission_bits(path), 0600u);
  {
    // A private umask keeps new files private, as open() would.
    const UmaskScope umask(077);
    write_file_atomically(dir.file("private.json"), "{}");
    EXPECT_EQ(permission_bits(dir.file("private.json")), 0600u);
    const UmaskScope group(027);
    write_file_atomically(dir.file("group.json"), "{}");
    EXPECT_EQ(permission_bits(dir.file("group.json")), 0640u);
  }
}

// A write that fails part way (here: the file-size limit, which fails write() as a full disk does) is one
// clear error naming the file and what is left, leaves no temporary file and keeps the previous content. In a
// child process, since the limit is process-wide.
TEST(AtomicFile, AFailedWriteIsACleanErrorAndLeavesThePreviousFile) {
  TempDir dir;
  const std::string path = dir.file("ckpt.last");
  write_file_atomically(path, "previous");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing the process
    const struct rlimit limit = {4096, 4096};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(2);
    try {
      write_file_atomically(path, std::string(1 << 20, 'x'));
    } catch (const c10::Error& e) {
      const std::string message = e.what_without_backtrace();
      const bool names_it = message.find("cannot write " + path) != std::string::npos &&
                            message.find(std::strerror(EFBIG)) != std::string::npos &&
                            message.find("the previous " + path + " is intact") != std::string::npos;
      ::_exit(names_it ? 0 : 3);
    }
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child died by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(read_file(path), "previous");
  EXPECT_EQ(dir.entries(), Names{"ckpt.last"});
}

TEST(AtomicFile, RemovesOnlyTheTemporaryFilesOfInterruptedWrites) {
  TempDir dir;
  for (const char* name : {".ckpt.tmp-a1B2c3", ".metrics.tmp-Zz9yX8.csv", "ckpt.last", ".hidden", ".x.tmp-ab",
                           "notes.tmp-abcdef"})
    write_file_atomically(dir.file(name), "x");
  EXPECT_EQ(remove_stale_temp_files(dir.path()), 2u);
  EXPECT_EQ(dir.entries(), (Names{".hidden", ".x.tmp-ab", "ckpt.last", "notes.tmp-abcdef"}));
}

TEST(AtomicFile, ReadFileErrorsNameThePath) {
  TempDir dir;
  const std::string missing = dir.file("missing.csv");
  std::string message = error_message([&] { read_file(missing); });
  EXPECT_NE(message.find(missing), std::string::npos) << message;
  EXPECT_NE(message.find(std::strerror(ENOENT)), std::string::npos) << message;
  message = error_message([&] { read_file(dir.path()); });
  EXPECT_NE(message.find(dir.path()), std::string::npos) << message;
  EXPECT_NE(message.find(std::strerror(EISDIR)), std::string::npos) << message;
}

}  // namespace
