#pragma once

/// @file
/// @brief Reading and writing IDX files (plain or gzipped), the format of MNIST and Fashion-MNIST.
///
/// Reading and writing IDX files, the format MNIST and Fashion-MNIST ship in.
///
/// An IDX file is a big-endian header -- two zero bytes, a type code, the number of dimensions, then each
/// dimension as a uint32 -- followed by the elements in row-major order, multi-byte types big-endian. Files
/// may be gzipped; the reader recognises gzip by its magic bytes (1f 8b), not by the file name.

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::data {

/// What an IDX header says, without the data.
struct IdxHeader {
  at::ScalarType dtype;        ///< kByte, kChar, kShort, kInt, kFloat or kDouble
  std::vector<int64_t> shape;  ///< the dimensions, outermost first
  bool gzip;                   ///< whether the file is gzip-compressed

  /// The number of elements, the product of shape (1 for no dimensions).
  /// @return the element count.
  int64_t numel() const;
  /// @return numel() times the element size of dtype.
  int64_t data_bytes() const;  ///< How many bytes must follow the header: numel() * element size.
};

/// Reads only the header of `path` (for gzip files, decompresses just the first bytes): cheap, for listing
/// files.
///
/// @param path an IDX file, plain or gzip-compressed.
/// @return its header.
/// @throws c10::Error naming `path` if the file is missing, unreadable, not IDX, or ends inside the header.
///
/// @code
/// mixdist::data::IdxHeader h = mixdist::data::read_idx_header("data/mnist/t10k-labels-idx1-ubyte");
/// @endcode
IdxHeader read_idx_header(const std::string& path);

/// Reads a whole IDX file (plain or gzip) into a CPU tensor of the header's dtype and shape.
///
/// @param path an IDX file, plain or gzip-compressed (recognised by its magic bytes).
/// @return a CPU tensor in native byte order.
/// @throws c10::Error naming `path` if the file is missing, unreadable, not IDX, has an unknown type code,
///         holds fewer or more data bytes than the header promises, or fails gzip decompression.
///
/// @code
/// at::Tensor images = mixdist::data::read_idx("data/mnist/t10k-images-idx3-ubyte");  // [10000, 28, 28]
/// @endcode
at::Tensor read_idx(const std::string& path);

/// Writes a tensor as an IDX file, optionally gzip-compressed, atomically.
///
/// The data goes to a temporary file in the same folder, which is then renamed over `path`, so readers never
/// see a half-written file.
/// @param path the file to write; its folder must exist.
/// @param t    dtype uint8, int8, int16, int32, float or double; at most 255 dimensions, each < 2^32.
/// @param gzip whether to gzip-compress the file.
/// @throws c10::Error naming `path` if `t` is undefined or has another dtype, too many dimensions or too
///         large a dimension, or if writing fails.
///
/// @code
/// mixdist::data::write_idx("labels.idx.gz", at::arange(10).to(at::kByte), /*gzip=*/true);
/// @endcode
void write_idx(const std::string& path, const at::Tensor& t, bool gzip = false);

}  // namespace mixdist::data
