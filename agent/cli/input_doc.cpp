#include "agent/cli/input_doc.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>

#include "agent/cli/cli_session.hpp"

namespace drover::cli {

namespace {

std::string read_stream(std::istream& in) {
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Failure("cannot read " + path);
    return read_stream(in);
}

nlohmann::json parse_text(const std::string& text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    return doc.is_discarded() ? parse_yaml(text) : doc;
}

// go-yaml v2's resolve table for plain scalars: null, booleans (YAML 1.1 words), numbers.
nlohmann::json plain_scalar(const std::string& s) {
    static const char* kNull[] = {"", "~", "null", "Null", "NULL"};
    static const char* kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                  "True", "TRUE", "on",  "On",  "ON"};
    static const char* kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                   "False", "FALSE", "off", "Off", "OFF"};
    for (const char* w : kNull)
        if (s == w) return nullptr;
    for (const char* w : kTrue)
        if (s == w) return true;
    for (const char* w : kFalse)
        if (s == w) return false;
    std::string_view digits = s.starts_with('+') ? std::string_view(s).substr(1) : s;
    std::int64_t i = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
    if (ec == std::errc() && end == digits.data() + digits.size() && !digits.empty()) return i;
    static const std::regex float_re(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    if (std::regex_match(s, float_re)) return std::stod(s);
    return s;
}

nlohmann::json to_json(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            return node.Tag() == "?" ? plain_scalar(node.Scalar()) : nlohmann::json(node.Scalar());
        case YAML::NodeType::Sequence: {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& item : node)
                out.push_back(to_json(item));
            return out;
        }
        case YAML::NodeType::Map: {
            nlohmann::json out = nlohmann::json::object();
            for (const auto& kv : node)
                out[kv.first.Scalar()] = to_json(kv.second);
            return out;
        }
        default:
            return nullptr;
    }
}

}  // namespace

nlohmann::json parse_yaml(const std::string& text) {
    try {
        return to_json(YAML::Load(text));
    } catch (const YAML::Exception& e) {
        throw Failure("not JSON or YAML: " + std::string(e.what()));
    }
}

nlohmann::json read_document(const std::string& arg) {
    if (arg == "-") return parse_text(read_stream(std::cin));
    auto doc = nlohmann::json::parse(arg, nullptr, false);
    if (!doc.is_discarded()) return doc;
    std::error_code ec;
    if (std::filesystem::is_regular_file(arg, ec)) return parse_text(read_file(arg));
    return parse_yaml(arg);
}

nlohmann::json read_object(const std::string& arg, const std::string& what) {
    auto doc = read_document(arg);
    if (!doc.is_object()) throw Failure(what + " must be a JSON object: " + arg);
    return doc;
}

nlohmann::json read_value(const std::string& arg) {
    std::string text = arg;
    if (arg == "-") {
        text = read_stream(std::cin);
        if (text.ends_with('\n')) text.pop_back();  // the line's end, not the value's
    }
    auto doc = nlohmann::json::parse(text, nullptr, false);
    return doc.is_discarded() ? nlohmann::json(text) : doc;
}

}  // namespace drover::cli
