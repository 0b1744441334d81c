#pragma once

// Data-parallel jobs inside one test: ranks as threads of this process (each with its own store client and
// Gloo group, as separate processes would have), or as child processes of this executable for what only a
// process shows (a rank that is killed). Every wait is bounded.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "mixdist/distributed/process_group.h"

extern char** environ;

namespace mixdist::testing {

// Runs body(group) on `size` ranks, one thread each, over a store on 127.0.0.1 (a free port). Returns each
// rank's error message ("" where body returned).
inline std::vector<std::string> run_ranks(int64_t size,
                                          const std::function<void(distributed::ProcessGroup&)>& body,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  distributed::Environment env;
  env.world_size = size;
  env.master_addr = "127.0.0.1";
  env.master_port = 0;  // rank 0 serves the store on any free port; the others then connect to it
  const distributed::Rendezvous server = distributed::rendezvous(env, timeout);
  std::vector<std::string> errors(size);
  std::vector<std::thread> threads;
  for (int64_t r = 0; r < size; ++r) {
    threads.emplace_back([&, r] {
      try {
        c10::intrusive_ptr<c10d::Store> store = server.store;
        if (r > 0) {
          distributed::Environment client = env;
          client.rank = r;
          client.master_port = server.port;
          store = distributed::rendezvous(client, timeout).store;
        }
        distributed::ProcessGroup group(
            store, r, size, distributed::ProcessGroupOptions().timeout(timeout).bind_address("127.0.0.1"));
        body(group);
      } catch (const std::exception& e) {
        errors[r] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

// A TCP port that was free a moment ago (bound to port 0 and released), for jobs of child processes.
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t length = sizeof(a);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("free_port: cannot bind a socket on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

// Makes this test executable, started with the variable `variable` set, a child rank instead of a test run:
// `body` runs and its return value is the exit code. It runs as a GoogleTest environment, once main() has
// started (every static object of the library exists by then); GoogleTest sets environments up only when a
// test is selected, hence child_role_args().
inline bool register_child_role(const char* variable, std::function<int()> body) {
  struct Role : ::testing::Environment {
    Role(const char* v, std::function<int()> b) : variable(v), body(std::move(b)) {}
    void SetUp() override {
      if (std::getenv(variable) == nullptr) return;
      const int code = body();
      std::fflush(nullptr);
      std::_Exit(code);
    }
    const char* variable;
    std::function<int()> body;
  };
  ::testing::AddGlobalTestEnvironment(new Role(variable, std::move(body)));
  return true;
}

// The executable of this process (what a child rank runs) and the arguments that select one cheap test, so
// that the registered roles run.
inline std::string self_executable() {
  char self[4096] = {};
  if (::readlink("/proc/self/exe", self, sizeof(self) - 1) <= 0) throw std::runtime_error("readlink");
  return self;
}
inline std::vector<std::string> child_role_args() {
  return {"--gtest_filter=DistributedShard.RankSeedsDifferPerRankAndEpoch"};
}

// A child process: `program` with `args`, this environment plus `extra_env`, stdout and stderr into `log`.
class ChildProcess {
 public:
  ChildProcess(const std::string& program, const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env, const std::string& log) {
    std::vector<std::string> argv_storage = {program};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage = extra_env;
    for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&files, 1, 2);
    const int error = posix_spawn(&pid_, program.c_str(), &files, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&files);
    if (error != 0) throw std::runtime_error("posix_spawn " + program + " failed");
  }
  ~ChildProcess() {
    if (!done_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status_, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // The exit code, -signal if a signal ended it, or nullopt-like -1000 if it is still running at the
  // deadline (then it is killed).
  int wait_for(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done_) {
      const pid_t r = ::waitpid(pid_, &status_, WNOHANG);
      if (r == pid_) {
        done_ = true;
        break;
      }
      if (std::chrono::steady_clock::now() > deadline) return -1000;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
  }

 private:
  pid_t pid_ = 0;
  int status_ = 0;
  bool done_ = false;
};

}  // namespace mixdist::testing
