// Tests of the atomic whole-file writes and reads that every file the library writes goes through.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
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

TEST(AtomicFile, KeepsPermissionsOfTheReplacedFileAndDefaultsTo0644) {
  TempDir dir;
  const std::string path = dir.file("summary.json");
  write_file_atomically(path, "{}");
  EXPECT_EQ(permission_bits(path), 0644u);
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  write_file_atomically(path, "{\"a\": 1}");
  EXPECT_EQ(permission_bits(path), 0600u);
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
