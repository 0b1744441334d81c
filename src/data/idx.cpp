#include "mixdist/data/idx.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#include "mixdist/io/atomic_file.h"

namespace mixdist::data {
namespace {

constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

// Deflate cannot compress better than about 1032:1, so a gzip file of S bytes inflates to at most ~1032 S
// bytes. Checking a header's promise against that refuses absurd headers before allocating memory for them.
constexpr int64_t kMaxDeflateRatio = 1032;

// zlib's gzread/gzwrite take an unsigned length and return an int, so large transfers go in chunks.
constexpr size_t kZlibChunk = size_t{1} << 30;
constexpr size_t kGzipReadChunk = size_t{1} << 20;

struct IdxType {
  uint8_t code;
  at::ScalarType dtype;
  const char* name;
};
constexpr IdxType kIdxTypes[] = {
    {0x08, at::kByte, "uint8"}, {0x09, at::kChar, "int8"},     {0x0B, at::kShort, "int16"},
    {0x0C, at::kInt, "int32"},  {0x0D, at::kFloat, "float32"}, {0x0E, at::kDouble, "float64"},
};

std::string hex_byte(unsigned value) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", value & 0xFFu);
  return text;
}

std::string known_types() {
  std::string text;
  for (const IdxType& type : kIdxTypes) {
    if (!text.empty()) text += ", ";
    text += hex_byte(type.code) + " " + type.name;
  }
  return text;
}

const IdxType* type_for_code(uint8_t code) {
  for (const IdxType& type : kIdxTypes)
    if (type.code == code) return &type;
  return nullptr;
}

const IdxType* type_for_dtype(at::ScalarType dtype) {
  for (const IdxType& type : kIdxTypes)
    if (type.dtype == dtype) return &type;
  return nullptr;
}

uint32_t load_big_endian_u32(const unsigned char* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

void store_big_endian_u32(uint32_t value, unsigned char* bytes) {
  bytes[0] = static_cast<unsigned char>(value >> 24);
  bytes[1] = static_cast<unsigned char>(value >> 16);
  bytes[2] = static_cast<unsigned char>(value >> 8);
  bytes[3] = static_cast<unsigned char>(value);
}

// IDX stores multi-byte elements big-endian; converting is its own inverse, so reading and writing share it.
void swap_to_or_from_big_endian(void* data, int64_t count, size_t element_size) {
  if (!kLittleEndianHost) return;
  switch (element_size) {
    case 1:
      return;
    case 2: {
      auto* p = static_cast<uint16_t*>(data);
      for (int64_t i = 0; i < count; ++i) p[i] = __builtin_bswap16(p[i]);
      return;
    }
    case 4: {
      auto* p = static_cast<uint32_t*>(data);
      for (int64_t i = 0; i < count; ++i) p[i] = __builtin_bswap32(p[i]);
      return;
    }
    case 8: {
      auto* p = static_cast<uint64_t*>(data);
      for (int64_t i = 0; i < count; ++i) p[i] = __builtin_bswap64(p[i]);
      return;
    }
    default:
      TORCH_INTERNAL_ASSERT(false, "no IDX type has ", element_size, "-byte elements");
  }
}

// zlib prefixes its messages with "<path>: "; our messages name the path themselves.
std::string zlib_error_text(gzFile gz, const std::string& path, int* errnum) {
  const char* message = gzerror(gz, errnum);
  if (*errnum == Z_ERRNO) return std::strerror(errno);
  std::string text = message != nullptr ? message : "unknown zlib error";
  if (text.rfind(path + ": ", 0) == 0) text.erase(0, path.size() + 2);
  return text;
}

// A file opened for reading whose bytes come out decompressed if it is gzip, as told by its first two bytes.
class InputFile {
 public:
  explicit InputFile(const std::string& path) : path_(path) {
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    TORCH_CHECK(std::filesystem::exists(status), "IDX file ", path, " does not exist");
    TORCH_CHECK(!std::filesystem::is_directory(status), "IDX file ", path, " is a directory, not a file");
    file_bytes_ = static_cast<int64_t>(std::filesystem::file_size(path, error));
    TORCH_CHECK(!error, "cannot read the size of IDX file ", path, ": ", error.message());
    plain_ = std::fopen(path.c_str(), "rb");
    TORCH_CHECK(plain_ != nullptr, "cannot open IDX file ", path, ": ", std::strerror(errno));

    unsigned char magic[2] = {0, 0};
    gzip_ = std::fread(magic, 1, 2, plain_) == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
    if (!gzip_) {
      std::rewind(plain_);
      return;
    }
    std::fclose(plain_);
    plain_ = nullptr;
    gz_ = gzopen(path.c_str(), "rb");
    TORCH_CHECK(gz_ != nullptr, "cannot open gzip IDX file ", path, ": ", std::strerror(errno));
    // zlib's default 8 KiB buffer makes inflating MNIST's 47 MB noticeably slower.
    gzbuffer(gz_, 1 << 18);
  }

  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  ~InputFile() {
    if (plain_ != nullptr) std::fclose(plain_);
    if (gz_ != nullptr) gzclose(gz_);
  }

  bool gzip() const { return gzip_; }
  int64_t file_bytes() const { return file_bytes_; }

  // Reads up to `count` bytes; fewer only at the end of the (decompressed) data. Throws on read or zlib
  // errors.
  size_t read(void* destination, size_t count) {
    if (!gzip_) {
      const size_t got = std::fread(destination, 1, count, plain_);
      TORCH_CHECK(!std::ferror(plain_), "error reading IDX file ", path_, ": ", std::strerror(errno));
      return got;
    }
    auto* out = static_cast<char*>(destination);
    size_t total = 0;
    while (total < count) {
      // 1 MiB per gzread rather than all at once: a damaged stream fails inside one call that then delivers
      // nothing, so the size of the calls is how precisely the error can say where the damage is.
      const auto chunk = static_cast<unsigned>(std::min(count - total, kGzipReadChunk));
      const int got = gzread(gz_, out + total, chunk);
      // Checked after every call: on a truncated stream gzread returns a short count rather than -1.
      int errnum = Z_OK;
      const std::string text = zlib_error_text(gz_, path_, &errnum);
      TORCH_CHECK(errnum == Z_OK, "IDX file ", path_, ": gzip decompression failed after ", inflated_ + total,
                  " bytes: ", text, " (the file is truncated or corrupt)");
      if (got <= 0) break;
      total += static_cast<size_t>(got);
    }
    inflated_ += total;
    return total;
  }

 private:
  std::string path_;
  size_t inflated_ = 0;  // decompressed bytes delivered by earlier reads, for error messages
  std::FILE* plain_ = nullptr;
  gzFile gz_ = nullptr;
  bool gzip_ = false;
  int64_t file_bytes_ = 0;
};

struct ParsedHeader {
  IdxHeader header;
  int64_t header_bytes;
};

ParsedHeader parse_header(InputFile& in, const std::string& path) {
  unsigned char head[4] = {0, 0, 0, 0};
  const size_t got = in.read(head, 4);
  TORCH_CHECK(got == 4, "file ", path, " is not an IDX file: it holds only ", got,
              " bytes, fewer than the 4-byte IDX magic number");
  TORCH_CHECK(head[0] == 0 && head[1] == 0, "file ", path, " is not an IDX file: it starts with ",
              hex_byte(head[0]), " ", hex_byte(head[1]), ", an IDX file with 0x00 0x00");
  const IdxType* type = type_for_code(head[2]);
  TORCH_CHECK(type != nullptr, "file ", path, " has unknown IDX type code ", hex_byte(head[2]),
              " (known: ", known_types(), ")");

  const int rank = head[3];
  const int64_t header_bytes = 4 + 4 * int64_t{rank};
  unsigned char dims[4 * 255];
  const size_t got_dims = in.read(dims, 4 * static_cast<size_t>(rank));
  TORCH_CHECK(got_dims == 4 * static_cast<size_t>(rank), "file ", path,
              " is truncated: it ends inside the IDX header, after ", 4 + got_dims, " of its ", header_bytes,
              " bytes");

  IdxHeader header{type->dtype, {}, in.gzip()};
  const int64_t element_size = static_cast<int64_t>(c10::elementSize(type->dtype));
  int64_t bytes = element_size;
  for (int d = 0; d < rank; ++d) {
    const int64_t size = load_big_endian_u32(dims + 4 * d);
    header.shape.push_back(size);
    // Overflow of the total is only possible for a corrupt header; refuse it rather than wrap around.
    TORCH_CHECK(size == 0 || bytes <= std::numeric_limits<int64_t>::max() / size, "file ", path,
                " has an IDX header whose shape ", at::IntArrayRef(header.shape),
                "... describes more than 2^63 bytes");
    bytes *= size;
  }
  return {std::move(header), header_bytes};
}

void write_all_plain(int fd, const void* data, size_t count, const std::string& path) {
  const auto* bytes = static_cast<const char*>(data);
  while (count > 0) {
    const ssize_t written = ::write(fd, bytes, count);
    if (written < 0 && errno == EINTR) continue;
    TORCH_CHECK(written > 0, "write_idx: writing ", path, " failed: ", std::strerror(errno));
    bytes += written;
    count -= static_cast<size_t>(written);
  }
}

void write_all_gzip(gzFile gz, const void* data, size_t count, const std::string& path) {
  const auto* bytes = static_cast<const char*>(data);
  while (count > 0) {
    const auto chunk = static_cast<unsigned>(std::min(count, kZlibChunk));
    const int written = gzwrite(gz, bytes, chunk);
    int errnum = Z_OK;
    TORCH_CHECK(written > 0, "write_idx: compressing to ", path,
                " failed: ", zlib_error_text(gz, path, &errnum));
    bytes += written;
    count -= static_cast<size_t>(written);
  }
}

}  // namespace

int64_t IdxHeader::numel() const {
  int64_t count = 1;
  for (int64_t size : shape) count *= size;
  return count;
}

int64_t IdxHeader::data_bytes() const {
  return numel() * static_cast<int64_t>(c10::elementSize(dtype));
}

IdxHeader read_idx_header(const std::string& path) {
  InputFile in(path);
  return parse_header(in, path).header;
}

at::Tensor read_idx(const std::string& path) {
  InputFile in(path);
  const ParsedHeader parsed = parse_header(in, path);
  const IdxHeader& header = parsed.header;
  const int64_t promised = header.data_bytes();

  // Check what can be checked before allocating, so a corrupt header cannot ask for terabytes.
  if (!in.gzip()) {
    const int64_t present = in.file_bytes() - parsed.header_bytes;
    TORCH_CHECK(present >= promised, "file ", path, " is truncated: the header promises ", promised,
                " bytes of data, found ", present);
  } else {
    const int64_t most = in.file_bytes() * kMaxDeflateRatio;
    TORCH_CHECK(promised <= most - parsed.header_bytes, "file ", path, " is truncated: the header promises ",
                promised, " bytes of data, more than a gzip file of ", in.file_bytes(), " bytes can hold");
  }

  at::Tensor tensor = at::empty(header.shape, at::TensorOptions().dtype(header.dtype));
  const size_t got = in.read(tensor.data_ptr(), static_cast<size_t>(promised));
  TORCH_CHECK(static_cast<int64_t>(got) == promised, "file ", path, " is truncated: the header promises ",
              promised, " bytes of data, found ", got);

  // Extra bytes mean the header and the data disagree, so the shape is wrong and so would be the tensor.
  int64_t trailing = 0;
  char probe[1 << 14];
  for (size_t n; (n = in.read(probe, sizeof probe)) > 0;) trailing += static_cast<int64_t>(n);
  TORCH_CHECK(trailing == 0, "file ", path, " has ", trailing, " trailing bytes after the ", promised,
              " bytes of data its header promises (shape ", at::IntArrayRef(header.shape), ", ",
              at::toString(header.dtype), ")");

  swap_to_or_from_big_endian(tensor.data_ptr(), tensor.numel(), tensor.element_size());
  return tensor;
}

void write_idx(const std::string& path, const at::Tensor& t, bool gzip) {
  TORCH_CHECK(t.defined(), "write_idx(", path, "): the tensor is undefined");
  const IdxType* type = type_for_dtype(t.scalar_type());
  TORCH_CHECK(type != nullptr, "write_idx(", path, "): dtype ", t.scalar_type(),
              " has no IDX type code (IDX holds ", known_types(), ")");
  TORCH_CHECK(t.dim() <= 255, "write_idx(", path, "): IDX holds at most 255 dimensions, the tensor has ",
              t.dim());

  std::vector<unsigned char> header(4 + 4 * static_cast<size_t>(t.dim()));
  header[0] = header[1] = 0;
  header[2] = type->code;
  header[3] = static_cast<unsigned char>(t.dim());
  for (int64_t d = 0; d < t.dim(); ++d) {
    TORCH_CHECK(t.size(d) <= int64_t{std::numeric_limits<uint32_t>::max()}, "write_idx(", path,
                "): dimension ", d, " has size ", t.size(d), ", more than IDX's uint32 sizes hold");
    store_big_endian_u32(static_cast<uint32_t>(t.size(d)), header.data() + 4 + 4 * d);
  }

  at::Tensor data = t.detach().to(at::kCPU).contiguous();
  if (kLittleEndianHost && data.element_size() > 1) {
    // Swap a private copy: contiguous() may have returned the caller's own storage.
    data = data.clone();
    swap_to_or_from_big_endian(data.data_ptr(), data.numel(), data.element_size());
  }
  const size_t data_bytes = static_cast<size_t>(data.numel()) * data.element_size();

  // Atomically: readers see the old file or the complete new one, and a failed write leaves the old one.
  io::write_file_atomically(path, [&](const std::string& temp_path) {
    if (!gzip) {
      const int fd = ::open(temp_path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
      TORCH_CHECK(fd >= 0, "write_idx: cannot open ", temp_path, " (for ", path, "): ", std::strerror(errno));
      try {
        write_all_plain(fd, header.data(), header.size(), temp_path);
        write_all_plain(fd, data.data_ptr(), data_bytes, temp_path);
      } catch (...) {
        ::close(fd);
        throw;
      }
      TORCH_CHECK(::close(fd) == 0, "write_idx: closing ", temp_path, " failed: ", std::strerror(errno));
      return;
    }
    gzFile gz = gzopen(temp_path.c_str(), "wb6");
    TORCH_CHECK(gz != nullptr, "write_idx: cannot start gzip compression of ", temp_path, " (for ", path,
                ")");
    try {
      write_all_gzip(gz, header.data(), header.size(), temp_path);
      write_all_gzip(gz, data.data_ptr(), data_bytes, temp_path);
    } catch (...) {
      gzclose(gz);
      throw;
    }
    // gzclose flushes the last compressed block and the trailer, so its failure means a broken file.
    const int closed = gzclose(gz);
    TORCH_CHECK(closed == Z_OK, "write_idx: finishing the gzip stream of ", temp_path, " failed (zlib error ",
                closed, ")");
  });
}

}  // namespace mixdist::data
