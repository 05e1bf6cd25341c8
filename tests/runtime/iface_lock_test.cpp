// The per-interface lock of apply, rollback and detach (runtime/
// iface_state.h): a command that leaves the interface with nothing removes
// the lock file while holding it, and a command that was waiting on the
// removed file must not take that as holding the lock.
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>

#include "runtime/iface_state.h"

using namespace polc::runtime;

TEST_SUITE("runtime") {
  TEST_CASE("a lock whose file was removed by its holder is taken again on a new file") {
    if (geteuid() != 0) {
      MESSAGE("skipped: /run/polc needs root");
      return;
    }
    IfaceId id{"polc-locktest-" + std::to_string(::getpid()), "x0"};
    auto first = IfaceLock::acquire(id);
    REQUIRE(first);
    std::atomic<bool> second_held{false};
    std::atomic<bool> file_was_there{false};
    std::thread waiter([&] {
      auto second = IfaceLock::acquire(id);  // blocks on the first
      REQUIRE(second);
      second_held = true;
      // It holds the file that the path names now, not the removed one.
      file_was_there = std::filesystem::exists(id.lock_path());
      second->remove_file();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    CHECK_FALSE(second_held.load());  // still waiting
    first->remove_file();
    CHECK_FALSE(std::filesystem::exists(id.lock_path()));
    first.value() = IfaceLock::acquire(IfaceId{id.netns, "y0"}).value();  // releases x0's lock
    waiter.join();
    CHECK(second_held.load());
    CHECK(file_was_there.load());
    first->remove_file();
    CHECK_FALSE(std::filesystem::exists("/run/polc/" + id.scope()));
  }
}
