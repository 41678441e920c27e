#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/dynamic.h"
#include "core/schema.h"
#include "core/types.h"
#include "core/value.h"

namespace calypso::core {

struct StringBags;

// A column of one type: values in a flat vector of the type's physical class plus a
// validity vector (1 = present). A null string is stored as "" and reported as null only
// by types other than string/guid (KQL strings are never null).
//
// Strings decoded from storage stay in one of two compact read-only forms, so decoding
// allocates nothing per row: packed (one shared byte buffer plus offsets) or dictionary
// (shared distinct values plus a code per row; consumers may group or compare by code).
// The first append turns either into a plain vector of strings.
//
// A dynamic column may be held as string bags (string_bags.h): one string column per key
// instead of a Dynamic tree per row, for ingested properties. Readers that ask for Dynamic
// values get objects built once on first use; the store reads the key columns directly.
//
// Decoded integer and code columns may also be narrow: one byte a row (integers as base +
// byte, dictionary codes as bytes), so a scan of a cached column reads an eighth (a
// quarter) of the memory. Row accessors read either form; int64s() and codes() make the
// wide vector on first use, once (thread-safe), and kernels that care read narrow_values().
//
// Copies share their data (copy-on-write): copying a column into a snapshot or a result
// batch costs a pointer, and the first append to a shared column clones it. Concurrent
// reads of shared data are safe; a Column object itself is not thread-safe.
class Column {
  public:
    explicit Column(Type type = Type::kNull) : type_(type), d_(std::make_shared<Data>()) {}

    Type type() const { return type_; }
    size_t size() const { return d_->valid.size(); }
    bool IsNull(size_t i) const { return d_->valid[i] == 0; }

    void Reserve(size_t n);
    void AppendNull();
    void AppendInt64(int64_t v) {
        Data& d = Mutable();
        d.i64.push_back(v);
        d.valid.push_back(1);
    }
    void AppendDouble(double v) {
        Data& d = Mutable();
        d.f64.push_back(v);
        d.valid.push_back(1);
    }
    void AppendString(std::string_view v) {
        Data& d = Mutable();
        d.str.emplace_back(v);
        d.valid.push_back(1);
    }
    void AppendDynamic(Dynamic v) {
        Data& d = Mutable();
        d.dyn.push_back(std::move(v));
        d.valid.push_back(1);
    }
    // Appends a value of this column's physical class (a null Value appends null).
    // REQUIRES: value's physical class matches, or the value is null.
    void Append(const Value& value);
    // Appends row `row` of `other`, which has the same type.
    void AppendFrom(const Column& other, size_t row);
    // Appends every row of `other`, which has the same type.
    void AppendAll(const Column& other);
    // Rows of several columns of one type gathered into a new column, in the order given;
    // strings come out packed, or as codes when every source shares one dictionary.
    struct RowRef {
        uint32_t source;  // index into `sources`
        uint32_t row;
    };
    static Column GatherFrom(Type type, std::span<const Column* const> sources,
                             std::span<const RowRef> rows);
    // Moves plain strings into the packed form (one buffer, 4 bytes of offset a row): a
    // buffered batch of mostly-null string columns then takes a fraction of the memory.
    void PackStrings();

    Value Get(size_t i) const;
    int64_t int64_at(size_t i) const {
        const Data& d = *d_;
        return d.narrow.empty() ? d.i64[i] : d.base + d.narrow[i];
    }
    double double_at(size_t i) const { return d_->f64[i]; }
    std::string_view string_at(size_t i) const {
        const Data& d = *d_;
        if (d.dict) return (*d.dict)[d.narrow.empty() ? d.codes[i] : d.narrow[i]];
        if (d.packed) {
            return std::string_view(d.packed->data() + d.offsets[i],
                                    d.offsets[i + 1] - d.offsets[i]);
        }
        return d.str[i];
    }
    // The dictionary form: distinct values and one code per row (null rows have a code too).
    bool is_dictionary() const { return d_->dict != nullptr; }
    const std::vector<std::string>& dictionary() const { return *d_->dict; }
    std::span<const uint32_t> codes() const {
        Widen();
        return d_->codes;
    }
    uint32_t code_at(size_t i) const {
        const Data& d = *d_;
        return d.narrow.empty() ? d.codes[i] : d.narrow[i];
    }
    const Dynamic& dynamic_at(size_t i) const {
        return d_->bags ? BagObjects()[i] : d_->dyn[i];
    }
    // The string-bag form of a dynamic column, or nullptr (string_bags.h).
    const StringBags* string_bags() const { return d_->bags.get(); }

    std::span<const int64_t> int64s() const {
        Widen();
        return d_->i64;
    }
    std::span<const double> doubles() const { return d_->f64; }
    std::span<const Dynamic> dynamics() const {
        return d_->bags ? std::span<const Dynamic>(BagObjects()) : d_->dyn;
    }
    std::span<const uint8_t> validity() const { return d_->valid; }
    // The narrow form, when the column has one (else empty): integer i is narrow_base() +
    // narrow_values()[i], a dictionary code is narrow_values()[i]. Integer columns are
    // narrow only when no row is null.
    std::span<const uint8_t> narrow_values() const { return d_->narrow; }
    int64_t narrow_base() const { return d_->base; }
    // Bytes held by integer and real values, either form (strings: StringBytes()).
    size_t ValueBytes() const {
        return (d_->i64.size() + d_->f64.size()) * sizeof(int64_t) + d_->narrow.size();
    }

    // The same data under another type of the same physical class (shared, not copied).
    Column Retyped(Type type) const {
        Column c = *this;
        c.type_ = type;
        return c;
    }
    // A column of `n` nulls.
    static Column Nulls(Type type, size_t n);
    // Memory held by string values (any form), for budgets.
    size_t StringBytes() const;
    // The bytes of the string values: exact for packed and plain strings, an estimate
    // (distinct values' bytes spread over the rows) for a dictionary; 0 when all are empty.
    size_t StoredStringBytes() const;
    // Columns built from whole vectors, for decoders. REQUIRES: values.size() == valid.size()
    // and a type of the matching physical class.
    static Column FromInt64s(Type type, std::vector<int64_t> values, std::vector<uint8_t> valid);
    // Integers base + values[i], no row null. REQUIRES values.size() == rows.
    static Column FromNarrowInt64s(Type type, int64_t base, std::vector<uint8_t> values);
    static Column FromDoubles(Type type, std::vector<double> values, std::vector<uint8_t> valid);
    static Column FromStrings(Type type, std::vector<std::string> values,
                              std::vector<uint8_t> valid);
    // Packed strings: row i is bytes[offsets[i], offsets[i+1]). REQUIRES offsets.size() ==
    // valid.size() + 1, non-decreasing, the last == bytes.size().
    static Column FromPackedStrings(Type type, std::string bytes, std::vector<uint32_t> offsets,
                                    std::vector<uint8_t> valid);
    // Dictionary strings. REQUIRES every code < dict->size(), codes.size() == valid.size().
    static Column FromDictionary(Type type, std::shared_ptr<const std::vector<std::string>> dict,
                                 std::vector<uint32_t> codes, std::vector<uint8_t> valid);
    // The same with one-byte codes. REQUIRES dict->size() <= 256.
    static Column FromNarrowDictionary(Type type,
                                       std::shared_ptr<const std::vector<std::string>> dict,
                                       std::vector<uint8_t> codes, std::vector<uint8_t> valid);
    static Column FromDynamics(std::vector<Dynamic> values, std::vector<uint8_t> valid);
    // A dynamic column of string bags: row r is null where valid[r] == 0, else the object
    // of the keys whose column holds a value at r. REQUIRES: distinct keys, one string
    // column per key, each of valid.size() rows.
    static Column FromStringBags(std::vector<std::string> keys, std::vector<Column> values,
                                 std::vector<uint8_t> valid);

  private:
    // A once_flag that copies as a fresh one (a cloned Data widens on its own).
    struct Once {
        std::once_flag flag;
        Once() = default;
        Once(const Once&) {}
        Once& operator=(const Once&) { return *this; }
    };
    struct Data {
        std::vector<uint8_t> valid;
        std::vector<int64_t> i64;
        std::vector<double> f64;
        std::vector<std::string> str;
        std::vector<Dynamic> dyn;
        std::shared_ptr<const std::string> packed;  // packed strings, with offsets
        std::vector<uint32_t> offsets;
        std::shared_ptr<const std::vector<std::string>> dict;  // dictionary, with codes
        std::vector<uint32_t> codes;
        std::shared_ptr<const StringBags> bags;  // dynamic values as string bags
        // The narrow form (see above); i64 or codes are filled from it under `widen`.
        std::vector<uint8_t> narrow;
        int64_t base = 0;
        Once widen;
    };
    // Fills the wide vector of a narrow column (once; safe on shared data).
    void Widen() const {
        if (!d_->narrow.empty()) WidenSlow();
    }
    void WidenSlow() const;
    // The data, cloned first when another Column shares it, strings in the plain form.
    Data& Mutable() {
        if (d_.use_count() != 1) d_ = std::make_shared<Data>(*d_);
        if (!d_->narrow.empty()) {
            Widen();
            d_->narrow.clear();
        }
        if (d_->packed || d_->dict) MakePlainStrings();
        if (d_->bags) MakePlainDynamics();
        return *d_;
    }
    void MakePlainStrings();
    void MakePlainDynamics();
    const std::vector<Dynamic>& BagObjects() const;
    static Column GatherStringBags(std::span<const Column* const> sources,
                                   std::span<const RowRef> rows);

    Type type_;
    std::shared_ptr<Data> d_;
};

// Rows of columns that share a schema. The unit that moves between modules.
struct Batch {
    Schema schema;
    std::vector<Column> columns;

    size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
    // Creates empty columns for every field of `schema`.
    static Batch Empty(Schema schema);
    // Appends row `row` of `other`; REQUIRES the same schema.
    void AppendRow(const Batch& other, size_t row);
    // Approximate memory the batch holds, for memory budgets.
    size_t ByteSize() const;
};

}  // namespace calypso::core
