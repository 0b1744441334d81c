#include "mixdist/distributed/broadcast.h"

#include <algorithm>
#include <map>

namespace mixdist::distributed {

void broadcast_tensors(ProcessGroup& group, const std::vector<at::Tensor>& tensors, int64_t root,
                       const std::string& what) {
  if (group.size() == 1) return;
  at::NoGradGuard no_grad;
  // One flat buffer per dtype: a model's tens of tensors in one or two calls.
  std::map<at::ScalarType, std::vector<at::Tensor>> by_dtype;
  for (const auto& t : tensors) {
    TORCH_CHECK(t.defined() && t.device().is_cpu(), "broadcast of ", what, ": not a defined CPU tensor");
    by_dtype[t.scalar_type()].push_back(t);
  }
  std::vector<at::Tensor> flats;
  for (const auto& entry : by_dtype) {
    std::vector<at::Tensor> pieces;
    for (const auto& t : entry.second) pieces.push_back(t.reshape({-1}));
    flats.push_back(at::cat(pieces));
  }
  group.broadcast(flats, root, what);
  size_t k = 0;
  for (auto& entry : by_dtype) {
    int64_t offset = 0;
    for (auto& t : entry.second) {
      t.copy_(flats[k].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
    ++k;
  }
}

std::string broadcast_string(ProcessGroup& group, const std::string& text, int64_t root,
                             const std::string& what) {
  if (group.size() == 1) return text;
  std::vector<at::Tensor> length = {at::tensor({static_cast<int64_t>(text.size())}, at::kLong)};
  group.broadcast(length, root, what + " (its length)");
  const int64_t n = length[0].item<int64_t>();
  if (n == 0) return std::string();
  std::vector<at::Tensor> bytes = {at::empty({n}, at::kByte)};
  if (group.rank() == root) std::copy(text.begin(), text.end(), bytes[0].data_ptr<uint8_t>());
  group.broadcast(bytes, root, what);
  const auto* p = reinterpret_cast<const char*>(bytes[0].data_ptr<uint8_t>());
  return std::string(p, p + n);
}

void broadcast_module(ProcessGroup& group, torch::nn::Module& module, int64_t root) {
  std::vector<at::Tensor> tensors = module.parameters();
  for (const auto& b : module.buffers()) tensors.push_back(b);
  broadcast_tensors(group, tensors, root, "the model's parameters");
}

}  // namespace mixdist::distributed
