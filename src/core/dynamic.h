#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"

namespace calypso::core {

// A JSON value: KQL's `dynamic`. Arrays and objects are shared and immutable once built,
// so copying a Dynamic is cheap. Objects keep the key order they were given.
class Dynamic {
  public:
    enum class Kind : uint8_t { kNull, kBool, kLong, kReal, kString, kArray, kObject };
    using Array = std::vector<Dynamic>;
    using Member = std::pair<std::string, Dynamic>;
    using Object = std::vector<Member>;

    Dynamic() = default;
    static Dynamic Bool(bool b) { return Dynamic(Rep(b)); }
    static Dynamic Long(int64_t v) { return Dynamic(Rep(v)); }
    static Dynamic Real(double v) { return Dynamic(Rep(v)); }
    static Dynamic String(std::string s) { return Dynamic(Rep(std::move(s))); }
    static Dynamic MakeArray(Array a) {
        return Dynamic(Rep(std::make_shared<const Array>(std::move(a))));
    }
    static Dynamic MakeObject(Object o) {
        return Dynamic(Rep(std::make_shared<const Object>(std::move(o))));
    }

    // Parses JSON text. Errors name the byte offset.
    static Result<Dynamic> Parse(std::string_view json);

    Kind kind() const { return static_cast<Kind>(rep_.index()); }
    bool is_null() const { return kind() == Kind::kNull; }
    bool as_bool() const { return std::get<bool>(rep_); }
    int64_t as_long() const { return std::get<int64_t>(rep_); }
    double as_real() const { return std::get<double>(rep_); }
    const std::string& as_string() const { return std::get<std::string>(rep_); }
    const Array& as_array() const { return *std::get<std::shared_ptr<const Array>>(rep_); }
    const Object& as_object() const { return *std::get<std::shared_ptr<const Object>>(rep_); }

    // Member lookup on an object (first match); nullptr when absent or not an object.
    const Dynamic* Find(std::string_view key) const;
    // Element of an array (negative counts from the end); nullptr when out of range.
    const Dynamic* At(int64_t index) const;

    // Compact JSON text.
    std::string ToJson() const;
    void AppendJson(std::string& out) const;
    // A string value as itself, anything else as JSON (what `tostring()` gives).
    std::string ToText() const;

    bool operator==(const Dynamic& other) const;

    // Approximate heap memory held by this value and its children (for memory budgets).
    size_t MemoryBytes() const;

  private:
    using Rep = std::variant<std::monostate, bool, int64_t, double, std::string,
                             std::shared_ptr<const Array>, std::shared_ptr<const Object>>;
    explicit Dynamic(Rep rep) : rep_(std::move(rep)) {}
    Rep rep_;
};

// Appends `s` to `out` as a quoted JSON string.
void AppendJsonString(std::string& out, std::string_view s);
// Appends a double in the shortest form that round-trips (JSON has no NaN/Inf: those become null).
void AppendJsonDouble(std::string& out, double v);

}  // namespace calypso::core
