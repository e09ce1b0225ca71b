// Rendering of a gotmpl-oracle input document ({templates, main, machine, task, stage, env,
// params, apiURL, provisionerURL}) with exactly the oracle's render data. Shared by
// `drover template render` and the corpus test so both exercise the same path.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

#include "common/tmpl/template.hpp"

namespace drover::tmpl {

Result<std::string> render_oracle_document(const nlohmann::json& doc);

}  // namespace drover::tmpl
