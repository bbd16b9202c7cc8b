// Service benchmark (issue 5): measures, against a real pipecut-server
// process on loopback,
//   1. Evaluate RPC throughput on a 1000-node graph (requests/s, 1 and 4
//      client threads), next to the in-process EvaluateRequest call;
//   2. the latency a streamed Solve adds over an in-process solve of the
//      same request (median wall time, finite workers lb0+dp, one thread);
//   3. the server's peak RSS (VmHWM) while 8 jobs on 1000-node graphs run
//      concurrently with the default portfolio.
//
//   service_harness --server-binary build/server/pipecut-server
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "core/options.h"
#include "core/plan/evaluate_request.h"
#include "core/solve/solve_request.h"
#include "core/solve/solver.h"
#include "pipecut/v1/service.grpc.pb.h"

namespace {

using pipecut::v1::PartitionService;

// A DNN-like random DAG: node i reads 1-3 tensors from the previous
// `window` nodes, so the graph is narrow as real operator graphs are.
pipecut::v1::Graph LayeredDag(int n, int window, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  pipecut::v1::Graph g;
  g.set_name(absl::StrCat("layered-", n, "-", seed));
  for (int i = 0; i < n; ++i) {
    pipecut::v1::Node* node = g.add_nodes();
    node->set_id(absl::StrCat("op", i));
    node->set_op_type("Op");
    node->set_work(1 + std::round(unit(rng) * 90) / 10);
    node->set_comm(std::round(unit(rng) * 50) / 10);
    node->set_memory_bytes(static_cast<int64_t>(unit(rng) * 4e6));
    if (i == 0) continue;
    const int preds = 1 + static_cast<int>(unit(rng) * 3);
    for (int p = 0; p < preds; ++p) {
      const int lo = std::max(0, i - window);
      const int src = lo + static_cast<int>(unit(rng) * (i - lo));
      pipecut::v1::Edge* e = g.add_edges();
      e->set_src(absl::StrCat("op", src));
      e->set_dst(node->id());
    }
  }
  return g;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// VmHWM / VmRSS of a process, in MiB.
double ProcMiB(pid_t pid, const std::string& key) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return std::stod(line.substr(key.size() + 1)) / 1024.0;
    }
  }
  return -1;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::unique_ptr<PartitionService::Stub> Stub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  args.SetMaxSendMessageSize(256 << 20);
  // One connection per stub, so client threads do not share one HTTP/2 pipe.
  args.SetInt("grpc.channel_id",
              static_cast<int>(absl::ToUnixNanos(absl::Now())));
  return PartitionService::NewStub(grpc::CreateCustomChannel(
      address, grpc::InsecureChannelCredentials(), args));
}

pipecut::v1::EvaluateRequest EvaluateFor(const pipecut::v1::Graph& graph,
                                         int k) {
  // A feasible partition: slice the input order (a topological order here)
  // into k equal runs.
  pipecut::v1::EvaluateRequest request;
  *request.mutable_graph() = graph;
  request.set_k(k);
  const int n = graph.nodes_size();
  for (int i = 0; i < n; ++i) {
    (*request.mutable_stage_of())[graph.nodes(i).id()] =
        static_cast<int>(static_cast<int64_t>(i) * k / n);
  }
  return request;
}

double EvaluateThroughput(const std::string& address,
                          const pipecut::v1::EvaluateRequest& request,
                          int threads, double seconds) {
  std::atomic<int64_t> done{0};
  std::atomic<bool> failed{false};
  const absl::Time end = absl::Now() + absl::Seconds(seconds);
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      auto stub = Stub(address);
      while (absl::Now() < end) {
        grpc::ClientContext context;
        pipecut::v1::EvaluateResponse response;
        if (!stub->Evaluate(&context, request, &response).ok()) failed = true;
        ++done;
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed) std::fprintf(stderr, "some Evaluate calls failed\n");
  return done / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipecut service benchmark"};
  std::string server_binary;
  int nodes = 1000, k = 16, reps = 7, rss_jobs = 8;
  double eval_seconds = 5, rss_budget = 10;
  app.add_option("--server-binary", server_binary, "pipecut-server binary")
      ->required();
  app.add_option("--nodes", nodes, "Graph size")->capture_default_str();
  app.add_option("-k", k, "Stages")->capture_default_str();
  app.add_option("--reps", reps, "Repetitions of the latency measurement")
      ->capture_default_str();
  app.add_option("--eval-seconds", eval_seconds,
                 "Duration of each throughput run")
      ->capture_default_str();
  app.add_option("--rss-jobs", rss_jobs, "Concurrent jobs for the RSS test")
      ->capture_default_str();
  app.add_option("--rss-budget", rss_budget, "Budget of each RSS-test job (s)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  const int port = FreePort();
  const std::string address = absl::StrCat("127.0.0.1:", port);
  const pid_t server = fork();
  if (server == 0) {
    const std::string listen = absl::StrCat("--listen=", address);
    const std::string running = absl::StrCat("--max_running_jobs=", rss_jobs);
    execl(server_binary.c_str(), server_binary.c_str(), listen.c_str(),
          "--metrics_listen=", running.c_str(), "--threads=2",
          static_cast<char*>(nullptr));
    std::perror("execl");
    _exit(127);
  }
  // Wait until the server answers (a bench, not a test: polling is fine).
  auto probe = Stub(address);
  for (int i = 0;; ++i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(200));
    pipecut::v1::ListJobsResponse list;
    if (probe->ListJobs(&context, {}, &list).ok()) break;
    if (i > 100) {
      std::fprintf(stderr, "server did not come up\n");
      kill(server, SIGKILL);
      return 1;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  std::printf("server pid %d on %s; idle RSS %.1f MiB\n", server,
              address.c_str(), ProcMiB(server, "VmRSS"));

  // 1. Evaluate throughput.
  const pipecut::v1::Graph graph = LayeredDag(nodes, 20, 1);
  const pipecut::v1::EvaluateRequest evaluate = EvaluateFor(graph, k);
  std::printf("graph %s: %d nodes, %d edges, request %zu bytes\n",
              graph.name().c_str(), graph.nodes_size(), graph.edges_size(),
              evaluate.ByteSizeLong());
  {
    int64_t calls = 0;
    const absl::Time start = absl::Now();
    while (absl::Now() - start < absl::Seconds(eval_seconds)) {
      auto response = pipecut::EvaluateRequest(evaluate);
      if (!response.ok()) {
        std::fprintf(stderr, "%s\n", response.status().ToString().c_str());
        return 1;
      }
      ++calls;
    }
    std::printf("Evaluate in-process (1 thread): %.0f calls/s\n",
                calls / absl::ToDoubleSeconds(absl::Now() - start));
  }
  for (int threads : {1, 4}) {
    std::printf("Evaluate RPC over loopback, %d client thread(s): %.0f req/s\n",
                threads,
                EvaluateThroughput(address, evaluate, threads, eval_seconds));
  }

  // 2. Streamed versus in-process solve of the same request.
  pipecut::v1::SolveRequest solve;
  *solve.mutable_graph() = graph;
  solve.set_k(k);
  solve.mutable_options()->set_num_threads(1);
  solve.mutable_options()->add_methods("lb0");
  solve.mutable_options()->add_methods("dp");
  std::vector<double> local, remote, remote_first;
  double local_ub = 0, remote_ub = 0;
  int events = 0;
  for (int r = 0; r < reps; ++r) {
    absl::Time start = absl::Now();
    auto prepared = pipecut::PrepareSolve(solve);
    auto snapshot = pipecut::SolveToCompletion(prepared->graph, prepared->k,
                                               prepared->options);
    local.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    local_ub = snapshot->best_bottleneck();

    start = absl::Now();
    grpc::ClientContext context;
    auto reader = probe->Solve(&context, solve);
    pipecut::v1::SolveEvent event;
    bool first = true;
    events = 0;
    while (reader->Read(&event)) {
      if (first) {
        remote_first.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
        first = false;
      }
      ++events;
      remote_ub = event.best_bottleneck();
    }
    if (!reader->Finish().ok()) std::fprintf(stderr, "Solve failed\n");
    remote.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  std::printf(
      "Solve (lb0+dp, 1 thread, k=%d): in-process median %.2f ms, streamed "
      "median %.2f ms (first event %.2f ms, %d events), added %.2f ms; UB "
      "%.6g vs %.6g\n",
      k, Median(local), Median(remote), Median(remote_first), events,
      Median(remote) - Median(local), local_ub, remote_ub);

  // 3. Peak RSS with concurrent jobs, default portfolio.
  std::vector<std::string> ids;
  for (int j = 0; j < rss_jobs; ++j) {
    pipecut::v1::SolveRequest request;
    *request.mutable_graph() = LayeredDag(nodes, 20, 100 + j);
    request.set_k(k);
    request.mutable_options()->set_time_limit_seconds(rss_budget);
    request.mutable_options()->set_num_threads(2);
    grpc::ClientContext context;
    pipecut::v1::Job job;
    grpc::Status status = probe->SubmitJob(&context, request, &job);
    if (!status.ok()) {
      std::fprintf(stderr, "SubmitJob: %s\n", status.error_message().c_str());
      return 1;
    }
    ids.push_back(job.id());
  }
  double peak_rss = 0;
  const absl::Time start = absl::Now();
  for (bool all_done = false; !all_done;) {
    absl::SleepFor(absl::Milliseconds(200));
    peak_rss = std::max(peak_rss, ProcMiB(server, "VmRSS"));
    grpc::ClientContext context;
    pipecut::v1::ListJobsResponse list;
    probe->ListJobs(&context, {}, &list);
    all_done = true;
    for (const auto& job : list.jobs()) {
      if (job.state() == pipecut::v1::Job::STATE_RUNNING ||
          job.state() == pipecut::v1::Job::STATE_QUEUED) {
        all_done = false;
      }
    }
  }
  double gap_sum = 0;
  for (const std::string& id : ids) {
    grpc::ClientContext context;
    pipecut::v1::GetJobRequest request;
    request.set_job_id(id);
    pipecut::v1::Job job;
    probe->GetJob(&context, request, &job);
    gap_sum += job.latest().relative_gap();
  }
  std::printf(
      "%d concurrent jobs (%d nodes, k=%d, default portfolio, %.0f s budget, "
      "2 pool threads): done in %.1f s, mean final gap %.4f, peak server RSS "
      "%.1f MiB (VmHWM %.1f MiB)\n",
      rss_jobs, nodes, k, rss_budget,
      absl::ToDoubleSeconds(absl::Now() - start), gap_sum / rss_jobs, peak_rss,
      ProcMiB(server, "VmHWM"));

  kill(server, SIGTERM);
  int status = 0;
  waitpid(server, &status, 0);
  std::printf("server exit status %d\n", WEXITSTATUS(status));
  return 0;
}
