// A job's log on stdout, raw (spec 6.4 `GET /jobs/<id>/log`), shared by `jobs log` and
// `machines currentlog`. Following streams new bytes until the job is finished or failed,
// resuming with a Range request whenever the stream drops before that.
#pragma once
#include <string>

namespace drover::cli {

class Session;

void write_job_log(Session& s, const std::string& job, bool follow);

}  // namespace drover::cli
