// Typed access to the members of a JSON document with the path of each member for errors
// ("findings[3].severity is not a string"): the reader of saved reports and of baseline files. The first
// error sticks and later reads return defaults, so one walk both builds the value and finds the first problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scanner/model/finding.hpp"
#include "scanner/model/severity.hpp"
#include "scanner/util/result.hpp"

namespace adpersist::model {

// Member access with a path for errors.
class JsonFields {
 public:
  explicit JsonFields(std::string source) : source_(std::move(source)) {}

  const Json* field(const Json& obj, const std::string& path, const char* key, bool required = true) {
    if (!obj.is_object()) {
      fail(path, "is not an object");
      return nullptr;
    }
    auto it = obj.find(key);
    if (it == obj.end() || (it->is_null() && !required)) {
      if (required) fail(join(path, key), "is missing");
      return nullptr;
    }
    return &*it;
  }

  std::string str(const Json& obj, const std::string& path, const char* key, bool required = true) {
    const Json* v = field(obj, path, key, required);
    if (!v || v->is_null()) return {};
    if (!v->is_string()) {
      fail(join(path, key), "is not a string");
      return {};
    }
    return v->get<std::string>();
  }

  std::int64_t integer(const Json& obj, const std::string& path, const char* key) {
    const Json* v = field(obj, path, key);
    if (!v) return 0;
    if (!v->is_number_integer()) {
      fail(join(path, key), "is not an integer");
      return 0;
    }
    return v->get<std::int64_t>();
  }

  bool boolean(const Json& obj, const std::string& path, const char* key, bool required = true) {
    const Json* v = field(obj, path, key, required);
    if (!v) return false;
    if (!v->is_boolean()) {
      fail(join(path, key), "is not a boolean");
      return false;
    }
    return v->get<bool>();
  }

  Severity severity(const Json& obj, const std::string& path, const char* key) {
    const auto s = str(obj, path, key);
    if (!ok()) return Severity::info;
    auto sev = parse_severity(s);
    if (!sev) fail(join(path, key), "is not a severity (info, low, medium, high, critical): '" + s + "'");
    return sev.value_or(Severity::info);
  }

  std::vector<std::string> strings(const Json& obj, const std::string& path, const char* key, bool required = true) {
    std::vector<std::string> out;
    const Json* v = field(obj, path, key, required);
    if (!v) return out;
    if (!v->is_array()) {
      fail(join(path, key), "is not an array");
      return out;
    }
    for (std::size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        fail(join(path, key) + "[" + std::to_string(i) + "]", "is not a string");
        return out;
      }
      out.push_back((*v)[i].get<std::string>());
    }
    return out;
  }

  // The array at obj[key], or an empty one (after recording the error) when it is not an array.
  const Json& array(const Json& obj, const std::string& path, const char* key, bool required = true) {
    static const Json empty = Json::array();
    const Json* v = field(obj, path, key, required);
    if (!v) return empty;
    if (!v->is_array()) {
      fail(join(path, key), "is not an array");
      return empty;
    }
    return *v;
  }

  Resource resource(const Json& obj, const std::string& path) {
    Resource r;
    const Json* v = field(obj, path, "resource");
    if (!v) return r;
    const auto p = join(path, "resource");
    r.type = str(*v, p, "type");
    r.id = str(*v, p, "id");
    r.dn = str(*v, p, "dn");
    r.sid = str(*v, p, "sid", false);
    r.name = str(*v, p, "name");
    return r;
  }

  void fail(const std::string& path, const std::string& message) {
    if (error_.message.empty()) error_ = make_error(ErrorCode::invalid_input, path + " " + message, source_);
  }
  bool ok() const { return error_.message.empty(); }
  const Error& error() const { return error_; }

  static std::string join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
  }
  static std::string at(const std::string& path, const char* key, std::size_t i) {
    return join(path, key) + "[" + std::to_string(i) + "]";
  }

 private:
  std::string source_;
  Error error_;
};

}  // namespace adpersist::model
