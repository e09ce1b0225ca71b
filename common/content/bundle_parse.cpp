#include "common/content/bundle_parse.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "common/content/yaml_json.hpp"

namespace drover::content {

namespace {

using model::Json;

std::string at(const std::string& place, const std::string& where) {
    return place.empty() ? where : place + ": " + where;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string extension(const std::string& name) {
    auto dot = name.rfind('.');
    return dot == std::string::npos ? "" : name.substr(dot);
}

bool is_object_file(const std::string& name) {
    std::string ext = extension(name);
    return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

const char* type_of(const Json& j) {
    return model::codec_detail::json_type_name(j);
}

// "Task.Templates[0].Name: expected string, got integer" -> "Templates[0].Name: ...".
std::string without_type(const std::string& msg, const char* type_name) {
    std::string prefix = std::string(type_name) + ".";
    return msg.starts_with(prefix) ? msg.substr(prefix.size()) : msg;
}

class Builder {
  public:
    void error(const std::string& where, const std::string& msg) {
        errors_.push_back(where.empty() ? msg : where + ": " + msg);
    }

    void meta(const Json& raw, const std::string& where) {
        if (raw.is_null()) return;
        if (!raw.is_object())
            return error(where, std::string("expected an object, got ") + type_of(raw));
        for (const auto& [field, value] : raw.items()) {
            if (value.is_null()) continue;
            if (value.is_string()) {
                meta_field(field, value.get<std::string>());
            } else if (value.is_boolean() && (field == "Writable" || field == "Overwritable")) {
                bundle_.meta[field] = value;
            } else if (value.is_number() || value.is_boolean()) {
                bundle_.meta[field] = value.dump();
            } else {
                error(where, field + ": expected string, got " + type_of(value));
            }
        }
    }

    void meta_field(const std::string& field, const std::string& text) {
        bundle_.meta[field] = field == "Documentation" ? text : trim(text);
    }

    // A section of a bundle document: {"<key>": object}.
    void section(const std::string& name, const Json& items, const std::string& where) {
        if (!is_section(name))
            return error(where,
                         "drover does not store " + name + " (sections: " + section_list() + ")");
        if (items.is_null()) return;
        if (!items.is_object())
            return error(where, std::string("expected an object, got ") + type_of(items));
        for (const auto& [key, body] : items.items())
            object(name, body, key, where + "." + key);
    }

    // One object of section `name` (a known section); `key` ("" for none) is the key it is
    // filed under.
    void object(const std::string& name, const Json& body, const std::string& key,
                const std::string& where) {
        bundle_.for_each_section([&](auto& section) {
            using T = typename std::decay_t<decltype(section)>::value_type;
            if (name == T::kPrefix) add(section, body, key, where);
        });
    }

    ParseResult finish(const std::string& meta_where) {
        if (bundle_name(bundle_).empty()) error(meta_where, "Name is required");
        if (!errors_.empty()) return api::unexpected(errors_);
        bundle_.for_each_section([](auto& section) {
            std::sort(section.begin(), section.end(),
                      [](const auto& a, const auto& b) { return a.key() < b.key(); });
        });
        return bundle_;
    }

  private:
    Bundle bundle_;
    model::Errors errors_;
    std::map<std::string, std::string> seen_;  // "<section>/<key>" -> where it was defined

    template <class T>
    void add(std::vector<T>& into, Json body, const std::string& key, const std::string& where) {
        if (!body.is_object())
            return error(where, std::string("expected an object, got ") + type_of(body));
        if (!key.empty()) {
            auto it = body.find(T::kKeyName);
            if (it == body.end() || it->is_null()) {
                body[T::kKeyName] = key;
            } else if (*it != key) {
                return error(where, std::string(T::kKeyName) + " " + it->dump() +
                                        " does not match its key \"" + key + "\"");
            }
        }
        T obj;
        model::Errors errs = model::decode(body, obj);
        for (const auto& e : errs)
            error(where, without_type(e, T::kTypeName));
        if (!errs.empty()) return;
        if (obj.key().empty()) return error(where, std::string(T::kKeyName) + " is required");
        auto [it, fresh] = seen_.emplace(std::string(T::kPrefix) + "/" + obj.key(), where);
        if (!fresh)
            return error(where, std::string(T::kTypeName) + " " + obj.key() +
                                    " is also defined in " + it->second);
        into.push_back(std::move(obj));
    }
};

}  // namespace

api::Expected<Json, std::string> parse_text(const SourceFile& file) {
    if (extension(file.path) != ".json") return yaml_to_json(file.text);
    try {
        return Json::parse(file.text);
    } catch (const Json::exception& e) {  // parse_error, and out_of_range for 1e400
        std::string msg = e.what();
        auto end = msg.find("] ");
        return api::unexpected(end == std::string::npos ? msg : msg.substr(end + 2));
    }
}

ParseResult parse_document(const Json& doc, const std::string& place) {
    Builder b;
    if (!doc.is_object()) {
        b.error(place, std::string("a content bundle is an object with meta and sections, got ") +
                           type_of(doc));
        return b.finish(at(place, "meta"));
    }
    for (const auto& [key, value] : doc.items()) {
        if (key == "meta") {
            b.meta(value, at(place, "meta"));
        } else if (key == "sections") {
            if (value.is_null()) continue;
            if (!value.is_object()) {
                b.error(at(place, "sections"),
                        std::string("expected an object, got ") + type_of(value));
                continue;
            }
            for (const auto& [name, items] : value.items())
                b.section(name, items, at(place, "sections." + name));
        } else if (is_section(key)) {
            b.section(key, value, at(place, key));
        } else {
            b.error(at(place, key),
                    "unknown section; a bundle has meta and sections (" + section_list() + ")");
        }
    }
    return b.finish(at(place, "meta"));
}

ParseResult parse_file(const SourceFile& file) {
    auto doc = parse_text(file);
    if (!doc) return api::unexpected(model::Errors{file.path + ": " + doc.error()});
    return parse_document(doc.value(), file.path);
}

ParseResult parse_directory(const std::vector<SourceFile>& files) {
    std::vector<const SourceFile*> sorted;
    for (const auto& f : files)
        sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(),
              [](const SourceFile* a, const SourceFile* b) { return a->path < b->path; });

    Builder b;
    std::vector<const SourceFile*> meta_files, field_files, object_files;
    for (const SourceFile* f : sorted) {
        const std::string& p = f->path;
        if (p == "meta.yaml" || p == "meta.yml" || p == "meta.json")
            meta_files.push_back(f);
        else if (p.starts_with("._") && p.ends_with(".meta") && p.find('/') == std::string::npos)
            field_files.push_back(f);
        else if (std::count(p.begin(), p.end(), '/') == 1)
            object_files.push_back(f);
    }
    if (meta_files.size() > 1)
        b.error("meta", "only one of meta.yaml, meta.yml and meta.json may exist");
    for (const SourceFile* f : meta_files) {
        auto doc = parse_text(*f);
        if (doc)
            b.meta(doc.value(), f->path);
        else
            b.error(f->path, doc.error());
    }
    for (const SourceFile* f : field_files)
        b.meta_field(f->path.substr(2, f->path.size() - 2 - 5), f->text);

    std::set<std::string> unknown;
    for (const SourceFile* f : object_files) {
        auto slash = f->path.find('/');
        std::string dir = f->path.substr(0, slash), name = f->path.substr(slash + 1);
        if (dir.starts_with(".") || name.starts_with(".")) continue;
        if (!is_section(dir)) {
            if (unknown.insert(dir).second)
                b.error(dir + "/", "not a section drover stores (" + section_list() + ")");
            continue;
        }
        if (is_object_file(name)) {
            auto doc = parse_text(*f);
            if (doc)
                b.object(dir, doc.value(), "", f->path);
            else
                b.error(f->path, doc.error());
        } else if (dir == model::Template::kPrefix) {
            b.object(dir, Json{{"ID", name}, {"Contents", f->text}}, "", f->path);
        } else {
            b.error(f->path, "not a .yaml, .yml or .json file");
        }
    }
    return b.finish("meta");
}

}  // namespace drover::content
