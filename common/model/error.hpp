// spec 1.12: the Error body every 4xx/5xx carries: {Model, Key, Type, Messages, Code}. Clients
// decode it to print the server's messages; the server builds it in one place per failure kind.
#pragma once
#include "common/model/envelope.hpp"

namespace drover::model {

struct Error : Extensible {
    static constexpr const char* kTypeName = "Error";
    std::string model;
    std::string key;
    std::string type;
    std::vector<std::string> messages;
    int code = 0;

    template <class V, class Self>
    static void fields(V& v, Self& s) {
        v("Model", s.model);
        v("Key", s.key);
        v("Type", s.type);
        v("Messages", s.messages);
        v("Code", s.code);
    }
};

// spec 1.12 examples: 404 {Type:"GET", Messages:["Not Found"]}; 422 ValidationError.
Error not_found_error(std::string model, std::string key);
Error validation_error(std::string model, std::string key, std::vector<std::string> messages);

// One line for a terminal: "ValidationError: machines/<key>: msg1; msg2".
std::string describe(const Error& e);

}  // namespace drover::model
