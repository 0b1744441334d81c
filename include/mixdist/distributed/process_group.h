#pragma once

/// @file
/// @brief A c10d process group: TCPStore rendezvous and Gloo collectives, with a bounded timeout and
/// errors that name the rank at fault.
///
/// The ranks of a job meet through a c10d::TCPStore at MASTER_ADDR:MASTER_PORT (served by rank 0, or by
/// torchrun's agent) and then talk through c10d::ProcessGroupGloo, PyTorch's own CPU backend: no transport
/// or collective of ours. What this class adds is failure handling a user can act on: every collective waits
/// at most ProcessGroupOptions::timeout, and when one fails (a rank killed, a machine gone, a rank stuck) the
/// error says which operation, on which rank, and which other ranks are known to have exited, instead of
/// Gloo's "Connection closed by peer [10.0.0.3]:41523".

#include <ATen/ATen.h>
#include <c10/util/intrusive_ptr.h>
#include <torch/arg.h>
#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mixdist/distributed/environment.h"

namespace mixdist::distributed {

/// How a process group waits and where it listens.
struct ProcessGroupOptions {
  /// How long the rendezvous and each collective wait for the other ranks before failing. It bounds how
  /// long the survivors of a dead or stuck rank wait, so it must exceed the longest stretch one rank
  /// computes alone between two collectives (rank 0 drawing a run's figures, say).
  TORCH_ARG(std::chrono::milliseconds, timeout) = std::chrono::seconds(300);
  /// The address Gloo's sockets bind to; empty: 127.0.0.1 when MASTER_ADDR is a loopback address, else
  /// the network interface GLOO_SOCKET_IFNAME names, else this machine's hostname (as PyTorch does).
  TORCH_ARG(std::string, bind_address) = "";
};

/// A rendezvous store, and the port it listens on.
struct Rendezvous {
  /// The store (TCPStore, under Environment::store_prefix when torchrun's agent serves it).
  c10::intrusive_ptr<c10d::Store> store;
  /// The port of the TCPStore (the one chosen when MASTER_PORT was 0 for the serving rank).
  uint16_t port = 0;
};

/// Connects to (rank 0: serves, unless torchrun's agent does) the TCPStore at env's MASTER_ADDR:MASTER_PORT.
///
/// @param env the torchrun variables; a serving rank may pass master_port 0 to take any free port
///   (Rendezvous::port then says which; the tests do this).
/// @param timeout how long a client keeps trying to reach the store, and each later store operation waits.
/// @return the store and its port.
/// @throws c10::Error naming the address: the store cannot be served (port taken) or reached in time.
Rendezvous rendezvous(const Environment& env, std::chrono::milliseconds timeout);

/// One rank's membership in a data-parallel job: collectives over Gloo among `size()` processes.
///
/// Every rank must call the same collectives in the same order (the usual contract of c10d). A failed
/// collective throws c10::Error on every surviving rank within the timeout; the process group is unusable
/// afterwards and the process should exit, which in turn ends the waits of the ranks still running.
///
/// @code
/// auto env = mixdist::distributed::process_environment();
/// if (env) {
///   mixdist::distributed::ProcessGroup group(*env);
///   at::Tensor t = at::ones({4});
///   group.all_reduce_sum(t, "a test sum");  // t == WORLD_SIZE everywhere
/// }
/// @endcode
class ProcessGroup {
 public:
  /// Joins the job `env` describes: rendezvous, then the Gloo group.
  /// @throws c10::Error naming the address or the ranks that never arrived within options.timeout().
  explicit ProcessGroup(const Environment& env, const ProcessGroupOptions& options = {});
  /// Joins through a store already connected (rendezvous()): rank `rank` of `size`.
  /// @param store the rendezvous store, shared by all ranks.
  /// @param rank this rank, 0 .. size - 1.
  /// @param size the number of ranks, >= 1.
  /// @param options the timeout and the address to bind (tests on one machine: 127.0.0.1).
  /// @throws c10::Error for a rank outside 0 .. size - 1, or naming the ranks that never arrived.
  ProcessGroup(c10::intrusive_ptr<c10d::Store> store, int64_t rank, int64_t size,
               const ProcessGroupOptions& options = {});
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;             ///< One membership per group.
  ProcessGroup& operator=(const ProcessGroup&) = delete;  ///< One membership per group.

  /// This process's rank, 0 .. size() - 1.
  int64_t rank() const { return rank_; }
  /// The number of ranks.
  int64_t size() const { return size_; }
  /// The timeout of every collective.
  std::chrono::milliseconds timeout() const { return timeout_; }

  /// Replaces `tensors` (contiguous CPU tensors, the same shapes on every rank) by root's, in place.
  /// @param tensors the tensors to overwrite (read on root).
  /// @param root the rank whose values everyone gets.
  /// @param what what is sent, for the error message (e.g. "the initial parameters").
  void broadcast(std::vector<at::Tensor>& tensors, int64_t root, const std::string& what);
  /// Replaces `tensor` (contiguous, CPU) by its sum over the ranks, in place; the same value on every rank.
  /// @param tensor the tensor to sum (same shape and dtype on every rank).
  /// @param what what is summed, for the error message (e.g. "the gradients").
  void all_reduce_sum(at::Tensor& tensor, const std::string& what);
  /// Every rank's `tensor` (same shape and dtype on every rank), in rank order.
  /// @param tensor this rank's contribution.
  /// @param what what is gathered, for the error message.
  std::vector<at::Tensor> all_gather(const at::Tensor& tensor, const std::string& what);
  /// Waits until every rank has reached it.
  /// @param what where the ranks meet, for the error message.
  void barrier(const std::string& what);

 private:
  struct Impl;
  ProcessGroup(Rendezvous rendezvous, const Environment& env, const ProcessGroupOptions& options);
  void wait(const std::string& what, const std::function<void()>& run);
  [[noreturn]] void fail(const std::string& what, const std::string& cause) const;

  int64_t rank_ = 0, size_ = 1;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixdist::distributed
