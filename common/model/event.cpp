#include "common/model/event.hpp"

namespace drover::model {

std::string subject(const Event& e) {
    return e.type + "." + e.action + "." + e.key;
}

}  // namespace drover::model
