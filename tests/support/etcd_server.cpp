#include "tests/support/etcd_server.h"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

namespace polc::test {

namespace {

using Clock = std::chrono::steady_clock;

std::string log_path(const TempDir &dir) { return (dir / "etcd.log").string(); }

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Binds `count` sockets to port 0 at once, so the kernel gives distinct
// free ports, and closes them for etcd to take.
std::vector<int> free_ports(int count) {
  std::vector<int> fds, ports;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = loopback(0);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) != 0)
      ports.push_back(0);
    else
      ports.push_back(ntohs(addr.sin_port));
    fds.push_back(fd);
  }
  for (int fd : fds)
    if (fd >= 0) close(fd);
  return ports;
}

// GET /health over a bare socket, so that whether etcd is up does not
// depend on the client under test.
bool healthy(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr = loopback(port);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof buf, 0)) > 0) answer.append(buf, size_t(n));
    }
  }
  close(fd);
  return answer.find("\"health\":\"true\"") != std::string::npos;
}

}  // namespace

bool etcd_tests_enabled() {
  if (access(kEtcdBinary, X_OK) == 0) return true;
  const char *ci = std::getenv("CI");
  if (ci && std::string(ci) == "true") {
    FAIL_CHECK(kEtcdBinary << " is missing, and CI must run the etcd tests (scripts/setup.sh installs etcd-server)");
    return false;
  }
  MESSAGE("skipped: " << kEtcdBinary << " is missing (scripts/setup.sh installs etcd-server)");
  return false;
}

int unused_port() { return free_ports(1)[0]; }

EtcdServer::EtcdServer() {
  static std::atomic<int> serial{0};
  name_ = "polc-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++);
  std::vector<int> ports = free_ports(2);
  client_port_ = ports[0];
  peer_port_ = ports[1];
  endpoint_ = "http://127.0.0.1:" + std::to_string(client_port_);
  if (client_port_ && peer_port_) start();
}

EtcdServer::~EtcdServer() { stop(); }

bool EtcdServer::start() {
  if (pid_ > 0) return ok_;
  const std::string peer = "http://127.0.0.1:" + std::to_string(peer_port_);
  const std::vector<std::string> args = {
      kEtcdBinary,
      "--name=" + name_,
      "--data-dir=" + (dir_ / "data").string(),
      "--listen-client-urls=" + endpoint_,
      "--advertise-client-urls=" + endpoint_,
      "--listen-peer-urls=" + peer,
      "--initial-advertise-peer-urls=" + peer,
      "--initial-cluster=" + name_ + "=" + peer,
      "--initial-cluster-state=new",
      "--logger=zap",
      "--log-outputs=stderr",
  };
  // Everything the child needs is built before fork: after it, only
  // async-signal-safe calls (the test process may have threads).
  std::vector<char *> argv;
  for (const auto &arg : args) argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);
  int log_fd = open(log_path(dir_).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (log_fd < 0 || null_fd < 0) {
    if (log_fd >= 0) close(log_fd);
    if (null_fd >= 0) close(null_fd);
    return ok_ = false;
  }
  pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);  // the parent died before prctl
    dup2(null_fd, 0);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  close(null_fd);
  if (pid_ < 0) return ok_ = false;

  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {  // etcd gave up: its log says why
      pid_ = -1;
      return ok_ = false;
    }
    if (healthy(client_port_)) return ok_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop();
  return ok_ = false;
}

void EtcdServer::stop() {
  ok_ = false;
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  auto deadline = Clock::now() + std::chrono::seconds(10);
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = -1;
}

std::string EtcdServer::log() const { return read_file(log_path(dir_)); }

}  // namespace polc::test
