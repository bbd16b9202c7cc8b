#include "core/solve/executor.h"

#include <utility>

#include "absl/time/clock.h"

namespace pipecut {

ThreadPool::ThreadPool(int num_threads) {
  threads_.reserve(num_threads);
  for (int i = 0; i < num_threads; ++i)
    threads_.emplace_back([this] { Loop(); });
}

ThreadPool::~ThreadPool() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  for (std::thread& t : threads_) t.join();
}

void ThreadPool::Schedule(std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  queue_.push_back(std::move(task));
}

size_t ThreadPool::queue_length() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

int ThreadPool::busy_threads() const {
  absl::MutexLock lock(&mu_);
  return busy_;
}

double ThreadPool::busy_seconds() const {
  absl::MutexLock lock(&mu_);
  return busy_seconds_;
}

void ThreadPool::Loop() {
  while (true) {
    std::function<void()> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || !queue_.empty();
      };
      mu_.Await(absl::Condition(&ready));
      if (queue_.empty()) return;  // stopping and drained
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    const absl::Time start = absl::Now();
    task();
    absl::MutexLock lock(&mu_);
    --busy_;
    busy_seconds_ += absl::ToDoubleSeconds(absl::Now() - start);
  }
}

}  // namespace pipecut
