#include "mixdist/distributed/process_group.h"

#include <fmt/format.h>
#include <unistd.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace mixdist::distributed {
namespace {

// The keys of our own bookkeeping, apart from Gloo's.
constexpr const char* kPeerPrefix = "mixdist/peer/";

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "?";
  return name;
}

bool is_loopback(const std::string& address) {
  return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

// The first line of a c10d/Gloo message: their later lines are C++ stack frames.
std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

std::string seconds(std::chrono::milliseconds t) {
  return fmt::format("{:g} s", t.count() / 1000.0);
}

// Whether process `pid` of this machine still runs: a killed rank is a zombie until its parent (torchrun, a
// shell, a test) reaps it, and kill(pid, 0) succeeds on zombies, so /proc tells the state.
bool running(int64_t pid) {
  if (::kill(static_cast<pid_t>(pid), 0) != 0) return errno != ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return true;
  const char state = text[paren + 2];
  return state != 'Z' && state != 'X';
}

std::shared_ptr<::gloo::transport::Device> make_device(const std::string& bind_address) {
  if (!bind_address.empty()) return c10d::ProcessGroupGloo::createDeviceForHostname(bind_address);
  if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"))
    return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

}  // namespace

// Each rank's host and process id, exchanged at the start: after a failure they tell which ranks of this
// machine have exited (the store may be gone by then, with rank 0).
struct Peer {
  std::string host;
  int64_t pid = 0;
};

struct ProcessGroup::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
  std::vector<Peer> peers;
};

Rendezvous rendezvous(const Environment& env, std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions options;
  options.port = static_cast<uint16_t>(env.master_port);
  options.isServer = env.rank == 0 && !env.agent_store;
  options.numWorkers = c10::nullopt;
  options.waitWorkers = false;  // the Gloo rendezvous waits for the ranks, and names the missing ones
  options.timeout = timeout;
  options.multiTenant = true;
  c10::intrusive_ptr<c10d::TCPStore> store;
  try {
    store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "rank ", env.rank, ": ", options.isServer ? "could not serve" : "could not reach",
                " the rendezvous store at ", env.master_addr, ":", env.master_port, " within ",
                seconds(timeout), " (",
                options.isServer ? "is the port taken?" : "rank 0 serves it: has it started?",
                "): ", first_line(e.what()));
  }
  Rendezvous r;
  r.port = store->getPort();
  r.store = store;
  if (!env.store_prefix.empty()) r.store = c10::make_intrusive<c10d::PrefixStore>(env.store_prefix, r.store);
  return r;
}

ProcessGroup::ProcessGroup(const Environment& env, const ProcessGroupOptions& options)
    : ProcessGroup(rendezvous(env, options.timeout()), env, options) {}

ProcessGroup::ProcessGroup(Rendezvous r, const Environment& env, const ProcessGroupOptions& options)
    : ProcessGroup(
          std::move(r.store), env.rank, env.world_size,
          ProcessGroupOptions(options).bind_address(!options.bind_address().empty() ? options.bind_address()
                                                    : is_loopback(env.master_addr)  ? "127.0.0.1"
                                                                                    : "")) {}

ProcessGroup::ProcessGroup(c10::intrusive_ptr<c10d::Store> store, int64_t rank, int64_t size,
                           const ProcessGroupOptions& options)
    : rank_(rank), size_(size), timeout_(options.timeout()), impl_(std::make_unique<Impl>()) {
  TORCH_CHECK(size >= 1 && rank >= 0 && rank < size, "process group: rank ", rank, " of ", size,
              " is out of range (0 .. size - 1)");
  TORCH_CHECK(options.timeout().count() > 0, "process group: the timeout must be positive, got ",
              options.timeout().count(), " ms");
  impl_->store = std::move(store);
  impl_->store->setTimeout(timeout_);
  const std::string me = fmt::format("{} {}", this_host(), static_cast<int64_t>(::getpid()));
  impl_->store->set(kPeerPrefix + std::to_string(rank), std::vector<uint8_t>(me.begin(), me.end()));
  auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout_);
  try {
    gloo_options->devices.push_back(make_device(options.bind_address()));
    impl_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, static_cast<int>(rank),
                                                              static_cast<int>(size), gloo_options);
  } catch (const std::exception& e) {
    std::string missing;
    for (int64_t r = 0; r < size; ++r) {
      try {
        if (!impl_->store->check({kPeerPrefix + std::to_string(r)}))
          missing += fmt::format("{}{}", missing.empty() ? "" : ", ", r);
      } catch (const std::exception&) {
        missing = "unknown (the store is gone)";
        break;
      }
    }
    TORCH_CHECK(false, "rank ", rank, " of ", size, ": the ranks did not all meet within ", seconds(timeout_),
                missing.empty() ? std::string() : "; ranks that never joined: " + missing, " (",
                first_line(e.what()), ")");
  }
  for (int64_t r = 0; r < size; ++r) {
    const std::vector<uint8_t> bytes = impl_->store->get(kPeerPrefix + std::to_string(r));
    const std::string text(bytes.begin(), bytes.end());
    const size_t space = text.rfind(' ');
    impl_->peers.push_back({text.substr(0, space), std::atoll(text.c_str() + space + 1)});
  }
}

ProcessGroup::~ProcessGroup() = default;

void ProcessGroup::fail(const std::string& what, const std::string& cause) const {
  // A rank that exits closes its sockets, so its neighbours fail at once; one that is stuck makes them wait
  // the full timeout. Only ranks of this machine can be checked: kill(pid, 0) fails with ESRCH once a
  // process is gone.
  // A killed process closes its sockets before it becomes a zombie: look again for up to a second.
  const Peer& self = impl_->peers.at(rank_);
  std::string exited;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (exited.empty() && std::chrono::steady_clock::now() < deadline) {
    for (int64_t r = 0; r < size_; ++r) {
      const Peer& p = impl_->peers.at(r);
      if (r == rank_ || p.host != self.host || p.pid == self.pid) continue;
      if (!running(p.pid)) exited += fmt::format("{}rank {} (pid {})", exited.empty() ? "" : ", ", r, p.pid);
    }
    if (exited.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::string diagnosis =
      !exited.empty()
          ? fmt::format("{} ended", exited)
          : fmt::format(
                "no other rank on this machine has ended: a rank on another machine ended, or one is "
                "stuck or slower than the {} timeout",
                seconds(timeout_));
  TORCH_CHECK(false, "rank ", rank_, " of ", size_, ": ", what, " failed: ", diagnosis, " (",
              first_line(cause), ")");
}

void ProcessGroup::wait(const std::string& what, const std::function<void()>& run) {
  try {
    run();
  } catch (const std::exception& e) {
    fail(what, e.what());
  }
}

void ProcessGroup::broadcast(std::vector<at::Tensor>& tensors, int64_t root, const std::string& what) {
  TORCH_CHECK(root >= 0 && root < size_, "broadcast of ", what, ": root ", root, " is not a rank of ", size_);
  if (size_ == 1 || tensors.empty()) return;
  c10d::BroadcastOptions options;
  options.rootRank = root;
  options.timeout = timeout_;
  // Gloo broadcasts one tensor per call with several inputs only across devices: one call per tensor.
  wait("broadcast of " + what, [&] {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one = {t};
      impl_->gloo->broadcast(one, options)->wait(timeout_);
    }
  });
}

void ProcessGroup::all_reduce_sum(at::Tensor& tensor, const std::string& what) {
  if (size_ == 1) return;
  c10d::AllreduceOptions options;
  options.reduceOp = c10d::ReduceOp::SUM;
  options.timeout = timeout_;
  std::vector<at::Tensor> one = {tensor};
  wait("all-reduce of " + what, [&] { impl_->gloo->allreduce(one, options)->wait(timeout_); });
}

std::vector<at::Tensor> ProcessGroup::all_gather(const at::Tensor& tensor, const std::string& what) {
  if (size_ == 1) return {tensor.clone()};
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int64_t r = 0; r < size_; ++r) outputs[0].push_back(at::empty_like(tensor));
  std::vector<at::Tensor> inputs = {tensor.contiguous()};
  c10d::AllgatherOptions options;
  options.timeout = timeout_;
  wait("all-gather of " + what, [&] { impl_->gloo->allgather(outputs, inputs, options)->wait(timeout_); });
  return outputs[0];
}

void ProcessGroup::barrier(const std::string& what) {
  if (size_ == 1) return;
  c10d::BarrierOptions options;
  options.timeout = timeout_;
  wait(what, [&] { impl_->gloo->barrier(options)->wait(timeout_); });
}

}  // namespace mixdist::distributed
