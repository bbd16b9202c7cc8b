#ifndef PIPECUT_CLIENT_JOBS_COMMAND_H_
#define PIPECUT_CLIENT_JOBS_COMMAND_H_

#include "CLI/CLI.hpp"

namespace pipecut::client {

// Adds `pipecut jobs submit|watch|get|list|cancel` to `app`: the job RPCs of
// a pipecut-server (--server HOST:PORT, default localhost:50051). The chosen
// subcommand stores its exit code (client/exit_codes.h) in `exit_code`.
//   submit GRAPH -k K [--budget S] [--target-gap G] [--method M]...
//          prints the job id
//   watch ID    streams the job's events to stderr, then the plan summary
//   get ID      prints the job as proto3 JSON
//   list        one line per job, newest first
//   cancel ID   requests cancellation, prints the job's state
void AddJobsCommand(CLI::App& app, int& exit_code);

}  // namespace pipecut::client

#endif  // PIPECUT_CLIENT_JOBS_COMMAND_H_
