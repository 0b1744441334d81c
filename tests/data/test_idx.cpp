// data/idx: IDX reading and writing (plain and gzip), every dtype, and the errors of broken files.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "mixdist/data/idx.h"
#include "mixdist/data/mnist.h"
#include "temp_dir.h"
#include "throws_with.h"

namespace {

namespace fs = std::filesystem;
using mixdist::testing::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << "cannot write fixture " << path;
}

using mixdist::testing::ThrowsWith;

uint32_t crc32(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string little_endian_u32(uint32_t value) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(value >> (8 * i));
  return bytes;
}

// A valid gzip file holding `payload` uncompressed in one stored deflate block: lets tests build gzip files
// with arbitrary (even inconsistent) IDX content without linking zlib themselves.
std::string gzip_stored(const std::string& payload) {
  EXPECT_LT(payload.size(), 65536u);
  const auto length = static_cast<uint16_t>(payload.size());
  std::string out("\x1F\x8B\x08\x00\x00\x00\x00\x00\x00\xFF", 10);  // magic, deflate, no flags, mtime 0, Unix
  out += '\x01';                                                    // final block, stored
  out += static_cast<char>(length & 0xFF);
  out += static_cast<char>(length >> 8);
  out += static_cast<char>(~length & 0xFF);
  out += static_cast<char>((~length >> 8) & 0xFF);
  out += payload;
  out += little_endian_u32(crc32(payload));
  out += little_endian_u32(static_cast<uint32_t>(payload.size()));
  return out;
}

// Values spread over each type's whole range, negatives included, so a missing, doubled or partial byte swap
// changes them.
at::Tensor sample_tensor(at::ScalarType dtype) {
  const std::vector<int64_t> shape = {3, 4, 5};
  switch (dtype) {
    case at::kByte:
      return at::linspace(0, 255, 60, at::kDouble).round().to(dtype).reshape(shape);
    case at::kChar:
      return at::linspace(-128, 127, 60, at::kDouble).round().to(dtype).reshape(shape);
    case at::kShort:
      return at::linspace(-32768, 32767, 60, at::kDouble).round().to(dtype).reshape(shape);
    case at::kInt:
      return at::linspace(-2147483648.0, 2147483647.0, 60, at::kDouble).round().to(dtype).reshape(shape);
    default: {
      at::Tensor values = at::linspace(-1e6, 1e6, 60, at::kDouble).mul(M_PI).to(dtype);
      values[0] = std::numeric_limits<double>::infinity();
      values[1] = -0.0;
      values[2] = 1e-30;
      return values.reshape(shape);
    }
  }
}

constexpr at::ScalarType kIdxDtypes[] = {at::kByte, at::kChar, at::kShort, at::kInt, at::kFloat, at::kDouble};

TEST(Idx, RoundTripsEveryDtypePlainAndGzip) {
  TempDir dir;
  for (at::ScalarType dtype : kIdxDtypes) {
    for (bool gzip : {false, true}) {
      SCOPED_TRACE(std::string(at::toString(dtype)) + (gzip ? " gzip" : " plain"));
      const at::Tensor original = sample_tensor(dtype);
      const std::string path = dir.file(std::string("t-") + at::toString(dtype) + (gzip ? ".gz" : ""));
      mixdist::data::write_idx(path, original, gzip);
      const at::Tensor loaded = mixdist::data::read_idx(path);
      EXPECT_EQ(loaded.scalar_type(), dtype);
      EXPECT_EQ(loaded.sizes(), original.sizes());
      EXPECT_TRUE(at::equal(loaded, original));
      EXPECT_EQ(read_bytes(path).substr(0, 2) == "\x1f\x8b", gzip)
          << "gzip magic present iff gzip was asked for";
    }
  }
}

TEST(Idx, RoundTripsUnusualShapes) {
  TempDir dir;
  const std::vector<at::Tensor> tensors = {
      at::arange(7, at::kInt),                                      // 1-D
      at::arange(2 * 3 * 2 * 2, at::kShort).reshape({2, 3, 2, 2}),  // 4-D
      at::empty({0, 28, 28}, at::kByte),                            // no elements
      at::full({}, 42.5, at::kDouble),                              // 0-D
      at::arange(24, at::kFloat).reshape({4, 6}).t(),               // non-contiguous input
  };
  for (size_t i = 0; i < tensors.size(); ++i) {
    for (bool gzip : {false, true}) {
      SCOPED_TRACE("tensor " + std::to_string(i) + (gzip ? " gzip" : " plain"));
      const std::string path = dir.file("shape" + std::to_string(i));
      mixdist::data::write_idx(path, tensors[i], gzip);
      const at::Tensor loaded = mixdist::data::read_idx(path);
      EXPECT_EQ(loaded.sizes(), tensors[i].sizes());
      EXPECT_TRUE(at::equal(loaded, tensors[i]));
    }
  }
}

TEST(Idx, WritesBigEndianHeaderAndData) {
  TempDir dir;
  const std::string ints = dir.file("ints");
  mixdist::data::write_idx(ints, at::tensor({0x01020304}, at::kInt));
  EXPECT_EQ(read_bytes(ints), std::string("\x00\x00\x0C\x01\x00\x00\x00\x01\x01\x02\x03\x04", 12));

  const std::string floats = dir.file("floats");
  mixdist::data::write_idx(floats, at::ones({1, 2}, at::kFloat));
  EXPECT_EQ(
      read_bytes(floats),
      std::string("\x00\x00\x0D\x02\x00\x00\x00\x01\x00\x00\x00\x02\x3F\x80\x00\x00\x3F\x80\x00\x00", 20));
}

TEST(Idx, ReadsHandMadeFile) {
  TempDir dir;
  const std::string path = dir.file("hand");
  // int16 [2, 1]: 0x0102 = 258 and 0xFFFE = -2
  write_bytes(path, std::string("\x00\x00\x0B\x02\x00\x00\x00\x02\x00\x00\x00\x01\x01\x02\xFF\xFE", 16));
  const at::Tensor loaded = mixdist::data::read_idx(path);
  ASSERT_EQ(loaded.scalar_type(), at::kShort);
  ASSERT_EQ(loaded.sizes(), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(loaded[0][0].item<int>(), 258);
  EXPECT_EQ(loaded[1][0].item<int>(), -2);
}

TEST(Idx, DetectsGzipByContentNotName) {
  TempDir dir;
  const at::Tensor t = sample_tensor(at::kInt);
  const std::string gzip_without_suffix = dir.file("compressed-but-named-plain");
  const std::string plain_with_suffix = dir.file("plain-but-named.gz");
  mixdist::data::write_idx(gzip_without_suffix, t, /*gzip=*/true);
  mixdist::data::write_idx(plain_with_suffix, t, /*gzip=*/false);
  EXPECT_TRUE(at::equal(mixdist::data::read_idx(gzip_without_suffix), t));
  EXPECT_TRUE(at::equal(mixdist::data::read_idx(plain_with_suffix), t));
  EXPECT_TRUE(mixdist::data::read_idx_header(gzip_without_suffix).gzip);
  EXPECT_FALSE(mixdist::data::read_idx_header(plain_with_suffix).gzip);
}

TEST(Idx, ReadsHeaderOnly) {
  TempDir dir;
  const std::string path = dir.file("header.gz");
  mixdist::data::write_idx(path, at::zeros({5, 28, 28}, at::kByte), /*gzip=*/true);
  const mixdist::data::IdxHeader header = mixdist::data::read_idx_header(path);
  EXPECT_EQ(header.dtype, at::kByte);
  EXPECT_EQ(header.shape, (std::vector<int64_t>{5, 28, 28}));
  EXPECT_EQ(header.numel(), 5 * 28 * 28);
  EXPECT_EQ(header.data_bytes(), 5 * 28 * 28);
}

TEST(Idx, WriteLeavesNoTemporaryFilesAndReplacesOldFile) {
  TempDir dir;
  const std::string path = dir.file("replace");
  mixdist::data::write_idx(path, at::zeros({100}, at::kDouble));
  mixdist::data::write_idx(path, at::ones({3}, at::kByte), /*gzip=*/true);
  EXPECT_TRUE(at::equal(mixdist::data::read_idx(path), at::ones({3}, at::kByte)));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"replace"});
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0644u);  // readable by all, not mkstemp's 0600
}

TEST(Idx, FailedWriteKeepsTheOldFileAndLeavesNoTemporaryFile) {
  TempDir dir;
  const std::string path = dir.file("keep");
  mixdist::data::write_idx(path, at::ones({3}, at::kByte));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::write_idx(path, at::ones({2}, at::kBool)); }, {path, "Bool"}));
  EXPECT_TRUE(at::equal(mixdist::data::read_idx(path), at::ones({3}, at::kByte)));
  const std::string missing = dir.file("no-such-folder/images-idx3-ubyte");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::write_idx(missing, at::ones({3}, at::kByte)); }, {missing}));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"keep"});
}

TEST(Idx, WriteRejectsTypesIdxCannotHold) {
  TempDir dir;
  const std::string path = dir.file("bool");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::write_idx(path, at::ones({2}, at::kBool)); }, {path, "Bool"}));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::write_idx(path, at::ones({2}, at::kLong)); }, {path, "Long"}));
  EXPECT_FALSE(fs::exists(path));
}

TEST(Idx, MissingFileIsAnError) {
  TempDir dir;
  const std::string path = dir.file("nope");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "does not exist"}));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(dir.path()); }, {dir.path(), "directory"}));
}

TEST(Idx, TruncatedDataIsAnError) {
  TempDir dir;
  const std::string path = dir.file("short");
  mixdist::data::write_idx(path, at::zeros({10, 10}, at::kShort));  // 12-byte header + 200 bytes
  std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() - 3));
  EXPECT_TRUE(
      ThrowsWith([&] { mixdist::data::read_idx(path); },
                 {"file " + path + " is truncated: the header promises 200 bytes of data, found 197"}));

  write_bytes(path, bytes.substr(0, 10));  // ends inside the header
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "truncated", "header"}));
}

TEST(Idx, TruncatedGzipIsAnError) {
  TempDir dir;
  const std::string path = dir.file("short.gz");
  mixdist::data::write_idx(path, sample_tensor(at::kDouble), /*gzip=*/true);
  const std::string bytes = read_bytes(path);
  write_bytes(path, bytes.substr(0, bytes.size() / 2));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "truncated"}));

  // A complete, valid gzip stream whose IDX content is short.
  const std::string short_content = dir.file("short-content.gz");
  mixdist::data::write_idx(dir.file("plain"), at::zeros({10, 10}, at::kShort));
  const std::string idx = read_bytes(dir.file("plain"));
  write_bytes(short_content, gzip_stored(idx.substr(0, idx.size() - 3)));
  EXPECT_TRUE(ThrowsWith(
      [&] { mixdist::data::read_idx(short_content); },
      {"file " + short_content + " is truncated: the header promises 200 bytes of data, found 197"}));
}

TEST(Idx, AbsurdHeadersAreRefusedBeforeAllocating) {
  TempDir dir;
  // 2^20 x 2^20 doubles: 8 TiB promised.
  const std::string header("\x00\x00\x0E\x02\x00\x10\x00\x00\x00\x10\x00\x00", 12);
  const std::string plain = dir.file("huge");
  write_bytes(plain, header);
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(plain); },
                         {plain, "is truncated: the header promises 8796093022208 bytes of data, found 0"}));
  const std::string gzipped = dir.file("huge.gz");
  write_bytes(gzipped, gzip_stored(header));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(gzipped); },
                         {gzipped, "truncated", "more than a gzip file of"}));

  // Three dimensions of 2^32 - 1 doubles overflow 64-bit sizes.
  write_bytes(plain, std::string("\x00\x00\x0E\x03", 4) + std::string(12, '\xFF'));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(plain); }, {plain, "more than 2^63 bytes"}));
}

TEST(Idx, BadMagicIsAnError) {
  TempDir dir;
  const std::string path = dir.file("text");
  write_bytes(path, "hello, this is not an IDX file\n");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "not an IDX file", "0x68 0x65"}));

  write_bytes(path, "");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "not an IDX file"}));
}

TEST(Idx, UnknownTypeCodeIsAnError) {
  TempDir dir;
  const std::string path = dir.file("type07");
  write_bytes(path, std::string("\x00\x00\x07\x01\x00\x00\x00\x01\x2A", 9));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "unknown IDX type code 0x07"}));
}

TEST(Idx, CorruptedGzipIsAnError) {
  TempDir dir;
  const std::string path = dir.file("corrupt.gz");
  mixdist::data::write_idx(path, sample_tensor(at::kFloat), /*gzip=*/true);
  std::string bytes = read_bytes(path);
  // Flip bits across the deflate body (the gzip header is 10 bytes, the trailer 8): whether inflate rejects
  // the stream itself or only the CRC-32 check catches it, the reader must report it.
  for (size_t i = 12; i + 8 < bytes.size(); i += 7) bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  write_bytes(path, bytes);
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "gzip decompression failed"}));

  // Only the CRC-32 in the trailer wrong: the data inflates fine, and only the check at the end catches it.
  mixdist::data::write_idx(path, sample_tensor(at::kFloat), /*gzip=*/true);
  bytes = read_bytes(path);
  bytes[bytes.size() - 8] = static_cast<char>(bytes[bytes.size() - 8] ^ 1);
  write_bytes(path, bytes);
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); }, {path, "incorrect data check"}));
}

TEST(Idx, AGzipErrorSaysHowFarTheDataWasIntact) {
  TempDir dir;
  const std::string path = dir.file("big.gz");
  at::manual_seed(5);
  // 4 MiB of random bytes (stored, not compressed, by deflate): damage in the middle of the file is found
  // only by the CRC-32 at the end, after 3 MiB were delivered in whole 1 MiB reads.
  mixdist::data::write_idx(path, at::randint(0, 256, {4 << 20}, at::kByte), /*gzip=*/true);
  std::string bytes = read_bytes(path);
  for (size_t i = bytes.size() / 2; i < bytes.size() / 2 + 64; ++i)
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  write_bytes(path, bytes);
  std::string message;
  try {
    mixdist::data::read_idx(path);
  } catch (const c10::Error& e) {
    message = e.what_without_backtrace();
  }
  const size_t at = message.find("failed after ");
  ASSERT_NE(at, std::string::npos) << message;
  const double intact = std::stod(message.substr(at + 13));
  EXPECT_EQ(intact, 8.0 + 3 * (1 << 20)) << message;  // the 8-byte header, then three whole reads
}

TEST(Idx, TrailingBytesAreAnError) {
  TempDir dir;
  const std::string path = dir.file("long");
  mixdist::data::write_idx(path, at::zeros({4}, at::kInt));
  write_bytes(path, read_bytes(path) + "xyz");
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(path); },
                         {path, "3 trailing bytes after the 16 bytes of data its header promises"}));

  // gzip: two concatenated gzip members inflate to one stream (zlib reads on past the first member), so the
  // second member's bytes are trailing data of the first IDX file.
  const std::string first = dir.file("first.gz"), second = dir.file("second.gz"), both = dir.file("both.gz");
  mixdist::data::write_idx(first, at::zeros({4}, at::kInt), /*gzip=*/true);
  mixdist::data::write_idx(second, at::zeros({2}, at::kByte), /*gzip=*/true);  // 8-byte header + 2 bytes
  write_bytes(both, read_bytes(first) + read_bytes(second));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(both); }, {both, "10 trailing bytes"}));

  const std::string single = dir.file("single.gz");
  write_bytes(single, gzip_stored(read_bytes(path)));
  EXPECT_TRUE(ThrowsWith([&] { mixdist::data::read_idx(single); }, {single, "3 trailing bytes"}));
}

}  // namespace
