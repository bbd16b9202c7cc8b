#ifndef PIPECUT_CORE_SOLVE_EXECUTOR_H_
#define PIPECUT_CORE_SOLVE_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace pipecut {

// Runs tasks. The server shares one Executor between all jobs; an in-process
// solve makes its own. Thread-safe.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void Schedule(std::function<void()> task) = 0;
};

// A fixed-size FIFO thread pool. FIFO order interleaves the worker steps of
// concurrent jobs, so no job starves another. Thread-safe. The destructor
// runs every queued task, then joins.
class ThreadPool : public Executor {
 public:
  explicit ThreadPool(int num_threads);
  ~ThreadPool() override;
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Schedule(std::function<void()> task) override;

  int num_threads() const { return static_cast<int>(threads_.size()); }
  size_t queue_length() const;
  int busy_threads() const;
  // Cumulated seconds threads spent running tasks.
  double busy_seconds() const;

 private:
  void Loop();

  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int busy_ ABSL_GUARDED_BY(mu_) = 0;
  double busy_seconds_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
};

}  // namespace pipecut

#endif  // PIPECUT_CORE_SOLVE_EXECUTOR_H_
