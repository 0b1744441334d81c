// Reading and writing IDX files, the format MNIST and Fashion-MNIST ship in.
//
// An IDX file is a big-endian header -- two zero bytes, a type code, the number of dimensions, then each
// dimension as a uint32 -- followed by the elements in row-major order, multi-byte types big-endian. Files
// may be gzipped; the reader recognises gzip by its magic bytes (1f 8b), not by the file name.
#pragma once

#include <ATen/ATen.h>

#include <cstdint>
#include <string>
#include <vector>

namespace mixdist::data {

// What an IDX header says, without the data.
struct IdxHeader {
  at::ScalarType dtype;  // kByte, kChar, kShort, kInt, kFloat or kDouble
  std::vector<int64_t> shape;
  bool gzip;  // whether the file is gzip-compressed

  int64_t numel() const;
  int64_t data_bytes() const;  // numel() * element size: how many bytes must follow the header
};

// Reads only the header of `path` (for gzip files, decompresses just the first bytes). Cheap; for listing
// files. Throws c10::Error naming `path` if the file is missing, unreadable, not IDX, or ends inside the
// header.
IdxHeader read_idx_header(const std::string& path);

// Reads a whole IDX file (plain or gzip) into a CPU tensor of the header's dtype and shape, in native byte
// order. Throws c10::Error naming `path` if the file is missing, unreadable, not IDX, has an unknown type
// code, holds fewer or more data bytes than the header promises, or fails gzip decompression.
at::Tensor read_idx(const std::string& path);

// Writes `t` (dtype uint8, int8, int16, int32, float or double; at most 255 dimensions, each < 2^32) as an
// IDX file, gzip-compressed if `gzip`. The file appears atomically: the data goes to a temporary file in the
// same folder, which is then renamed over `path`, so readers never see a half-written file.
void write_idx(const std::string& path, const at::Tensor& t, bool gzip = false);

}  // namespace mixdist::data
