#include "storage/encoding.h"

#include <algorithm>
#include <bit>
#include <unordered_map>

#include "storage/bitpack.h"
#include "storage/coding.h"
#include "storage/dynamic_codec.h"

namespace calypso::storage {

using core::Column;
using core::Physical;
using core::Result;
using core::Status;

namespace {

enum Validity : uint8_t { kAllPresent = 0, kAllNull = 1, kBitmap = 2 };

Status Bad(std::string_view what) {
    return Status::Corruption("malformed block: " + std::string(what));
}

void EncodeValidity(const Column& c, size_t begin, size_t end, std::string& out) {
    size_t present = 0;
    for (size_t i = begin; i < end; ++i) present += c.IsNull(i) ? 0 : 1;
    if (present == end - begin) {
        out.push_back(static_cast<char>(kAllPresent));
        return;
    }
    if (present == 0) {
        out.push_back(static_cast<char>(kAllNull));
        return;
    }
    out.push_back(static_cast<char>(kBitmap));
    std::string bits((end - begin + 7) / 8, '\0');
    for (size_t i = begin; i < end; ++i) {
        if (!c.IsNull(i)) bits[(i - begin) / 8] |= static_cast<char>(1 << ((i - begin) % 8));
    }
    out += bits;
}

bool DecodeValidity(Reader& r, size_t rows, std::vector<uint8_t>& valid) {
    uint8_t kind;
    if (!r.GetByte(kind)) return false;
    if (kind == kAllPresent || kind == kAllNull) {
        valid.assign(rows, kind == kAllPresent ? 1 : 0);
        return true;
    }
    std::string_view bits;
    if (kind != kBitmap || !r.GetBytes((rows + 7) / 8, bits)) return false;
    valid.resize(rows);
    for (size_t i = 0; i < rows; ++i) {
        valid[i] = static_cast<uint8_t>((static_cast<uint8_t>(bits[i / 8]) >> (i % 8)) & 1);
    }
    return true;
}

void EncodeInts(const Column& c, size_t begin, size_t end, std::string& out, BlockSummary& s) {
    const size_t rows = end - begin;
    // Nulls repeat the previous present value (the first present one at the start).
    std::vector<int64_t> v(rows);
    int64_t last = 0;
    for (size_t i = begin; i < end; ++i) {
        if (!c.IsNull(i)) {
            last = c.int64_at(i);
            break;
        }
    }
    for (size_t i = 0; i < rows; ++i) {
        if (!c.IsNull(begin + i)) {
            last = c.int64_at(begin + i);
            if (!s.has_range) {
                s.min = s.max = last;
                s.has_range = true;
            }
            s.min = std::min(s.min, last);
            s.max = std::max(s.max, last);
        }
        v[i] = last;
    }
    const int64_t lo = s.has_range ? s.min : last;
    const int64_t hi = s.has_range ? s.max : last;
    const int for_width = BitWidth(static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo));
    uint64_t max_delta = 0;
    for (size_t i = 1; i < rows; ++i) {
        max_delta =
            std::max(max_delta, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(v[i]) -
                                                            static_cast<uint64_t>(v[i - 1]))));
    }
    const int delta_width = BitWidth(max_delta);
    if (std::min(for_width, delta_width) >= 60) {
        s.encoding = Encoding::kPlainInt;
        out.push_back(static_cast<char>(s.encoding));
        EncodeValidity(c, begin, end, out);
        for (int64_t x : v) PutFixed64(out, static_cast<uint64_t>(x));
        return;
    }
    if (delta_width < for_width && rows > 0) {
        s.encoding = Encoding::kDelta;
        out.push_back(static_cast<char>(s.encoding));
        EncodeValidity(c, begin, end, out);
        PutFixed64(out, static_cast<uint64_t>(v[0]));
        out.push_back(static_cast<char>(delta_width));
        PackBits(
            rows - 1, delta_width,
            [&](size_t i) {
                return ZigZag(static_cast<int64_t>(static_cast<uint64_t>(v[i + 1]) -
                                                   static_cast<uint64_t>(v[i])));
            },
            out);
        return;
    }
    s.encoding = Encoding::kFrameOfRef;
    out.push_back(static_cast<char>(s.encoding));
    EncodeValidity(c, begin, end, out);
    PutFixed64(out, static_cast<uint64_t>(lo));
    out.push_back(static_cast<char>(for_width));
    PackBits(
        rows, for_width,
        [&](size_t i) { return static_cast<uint64_t>(v[i]) - static_cast<uint64_t>(lo); }, out);
}

void EncodeStrings(const Column& c, size_t begin, size_t end, std::string& out, BlockSummary& s) {
    const size_t rows = end - begin;
    // Dictionary when it is smaller: low-cardinality columns (levels, names, run ids).
    std::unordered_map<std::string_view, uint32_t> codes;
    std::vector<std::string_view> dict;
    std::vector<uint32_t> row_codes;
    row_codes.reserve(rows);
    size_t all_bytes = 0, dict_bytes = 0, max_len = 0;
    bool try_dict = true;
    std::string_view previous;
    for (size_t i = begin; i < end; ++i) {
        std::string_view v = c.string_at(i);
        all_bytes += v.size();
        max_len = std::max(max_len, v.size());
        if (!try_dict) continue;
        if (i > begin && v == previous) {  // runs of one value are common
            row_codes.push_back(row_codes.back());
            continue;
        }
        previous = v;
        auto [it, added] = codes.try_emplace(v, static_cast<uint32_t>(dict.size()));
        row_codes.push_back(it->second);
        if (added) {
            dict.push_back(v);
            dict_bytes += v.size() + 1;
            // Mostly distinct (messages, ids): a dictionary will not pay, stop building one.
            const size_t seen = i - begin + 1;
            if (dict.size() > rows / 2 + 1 || (seen >= 512 && dict.size() * 4 > seen * 3)) {
                try_dict = false;
            }
        }
    }
    const int len_width = BitWidth(max_len);
    const size_t plain_size = all_bytes + rows * static_cast<size_t>(len_width) / 8;
    const int code_width = dict.empty() ? 0 : BitWidth(dict.size() - 1);
    const size_t dict_size = dict_bytes + rows * static_cast<size_t>(code_width) / 8;
    if (try_dict && dict_size < plain_size) {
        s.encoding = Encoding::kDictionary;
        out.push_back(static_cast<char>(s.encoding));
        EncodeValidity(c, begin, end, out);
        PutVarint(out, dict.size());
        for (auto v : dict) PutLengthPrefixed(out, v);
        out.push_back(static_cast<char>(code_width));
        PackBits(
            rows, code_width, [&](size_t i) { return row_codes[i]; }, out);
        return;
    }
    s.encoding = Encoding::kPlainString;
    out.push_back(static_cast<char>(s.encoding));
    EncodeValidity(c, begin, end, out);
    out.push_back(static_cast<char>(len_width));
    PackBits(
        rows, len_width, [&](size_t i) { return c.string_at(begin + i).size(); }, out);
    for (size_t i = begin; i < end; ++i) out += c.string_at(i);
}

Result<Column> DecodeInts(core::Type type, Encoding enc, Reader& r, size_t rows,
                          std::vector<uint8_t> valid) {
    std::vector<int64_t> v(rows);
    uint64_t base;
    uint8_t width;
    std::string_view packed;
    switch (enc) {
        case Encoding::kPlainInt:
            for (auto& x : v) {
                uint64_t u;
                if (!r.GetFixed64(u)) return Bad("truncated integers");
                x = static_cast<int64_t>(u);
            }
            break;
        case Encoding::kFrameOfRef:
            if (!r.GetFixed64(base) || !r.GetByte(width) || width > 64 ||
                !r.GetBytes(PackedBytes(rows, width), packed)) {
                return Bad("truncated frame-of-reference integers");
            }
            if (width <= 8 &&
                std::all_of(valid.begin(), valid.end(), [](uint8_t x) { return x; })) {
                // Small values without nulls stay one byte a row (core::Column's narrow form).
                std::vector<uint8_t> narrow(rows);
                UnpackBits(packed, rows, width,
                           [&](size_t i, uint64_t x) { narrow[i] = static_cast<uint8_t>(x); });
                return Column::FromNarrowInt64s(type, static_cast<int64_t>(base),
                                                std::move(narrow));
            }
            UnpackBits(packed, rows, width,
                       [&](size_t i, uint64_t x) { v[i] = static_cast<int64_t>(base + x); });
            break;
        case Encoding::kDelta: {
            if (rows == 0) break;
            const size_t n = rows - 1;
            if (!r.GetFixed64(base) || !r.GetByte(width) || width > 64 ||
                !r.GetBytes(PackedBytes(n, width), packed)) {
                return Bad("truncated delta integers");
            }
            uint64_t acc = base;
            v[0] = static_cast<int64_t>(acc);
            UnpackBits(packed, n, width, [&](size_t i, uint64_t x) {
                acc += static_cast<uint64_t>(UnZigZag(x));
                v[i + 1] = static_cast<int64_t>(acc);
            });
            break;
        }
        default:
            return Bad("encoding does not fit an integer column");
    }
    for (size_t i = 0; i < rows; ++i) {
        if (!valid[i]) v[i] = 0;
    }
    return Column::FromInt64s(type, std::move(v), std::move(valid));
}

Result<Column> DecodeStrings(core::Type type, Encoding enc, Reader& r, size_t rows,
                             std::vector<uint8_t> valid) {
    uint8_t width;
    std::string_view packed;
    if (enc == Encoding::kDictionary) {
        uint64_t n;
        if (!r.GetVarint(n) || n > r.remaining()) return Bad("truncated dictionary");
        auto dict = std::make_shared<std::vector<std::string>>(static_cast<size_t>(n));
        for (auto& d : *dict) {
            std::string_view v;
            if (!r.GetLengthPrefixed(v)) return Bad("truncated dictionary entry");
            d = v;
        }
        if (!r.GetByte(width) || width > 32 || !r.GetBytes(PackedBytes(rows, width), packed)) {
            return Bad("truncated dictionary codes");
        }
        if (dict->size() <= 256 && width <= 8) {  // one byte a code
            std::vector<uint8_t> codes(rows);
            uint64_t max_code = 0;
            UnpackBits(packed, rows, width, [&](size_t i, uint64_t code) {
                max_code = std::max(max_code, code);
                codes[i] = static_cast<uint8_t>(code);
            });
            if (rows > 0 && max_code >= dict->size()) return Bad("dictionary code out of range");
            return Column::FromNarrowDictionary(type, std::move(dict), std::move(codes),
                                                std::move(valid));
        }
        std::vector<uint32_t> codes(rows);
        uint64_t max_code = 0;
        UnpackBits(packed, rows, width, [&](size_t i, uint64_t code) {
            max_code = std::max(max_code, code);
            codes[i] = static_cast<uint32_t>(code);
        });
        if (rows > 0 && max_code >= dict->size()) return Bad("dictionary code out of range");
        return Column::FromDictionary(type, std::move(dict), std::move(codes), std::move(valid));
    }
    if (enc != Encoding::kPlainString) return Bad("encoding does not fit a string column");
    if (!r.GetByte(width) || width > 64 || !r.GetBytes(PackedBytes(rows, width), packed)) {
        return Bad("truncated string lengths");
    }
    std::vector<uint64_t> ends(rows);
    uint64_t total = 0;
    bool overflow = false;
    UnpackBits(packed, rows, width, [&](size_t i, uint64_t len) {
        overflow |= len > r.remaining();
        total += len;
        ends[i] = total;
    });
    std::string_view bytes;
    if (overflow || total > r.remaining() || !r.GetBytes(static_cast<size_t>(total), bytes)) {
        return Bad("truncated string bytes");
    }
    if (total > UINT32_MAX) {  // beyond 32-bit offsets: one string per row
        std::vector<std::string> v(rows);
        for (size_t i = 0; i < rows; ++i) {
            const uint64_t begin = i == 0 ? 0 : ends[i - 1];
            v[i].assign(bytes.data() + begin, static_cast<size_t>(ends[i] - begin));
        }
        return Column::FromStrings(type, std::move(v), std::move(valid));
    }
    std::vector<uint32_t> offsets(rows + 1);
    for (size_t i = 0; i < rows; ++i) offsets[i + 1] = static_cast<uint32_t>(ends[i]);
    return Column::FromPackedStrings(type, std::string(bytes), std::move(offsets),
                                     std::move(valid));
}

}  // namespace

void EncodeBlock(const Column& column, size_t begin, size_t end, std::string& out,
                 BlockSummary& summary) {
    summary = BlockSummary{};
    switch (core::PhysicalOf(column.type())) {
        case Physical::kInt64:
            EncodeInts(column, begin, end, out, summary);
            return;
        case Physical::kDouble:
            summary.encoding = Encoding::kPlainReal;
            out.push_back(static_cast<char>(summary.encoding));
            EncodeValidity(column, begin, end, out);
            for (size_t i = begin; i < end; ++i) {
                PutFixed64(out,
                           std::bit_cast<uint64_t>(column.IsNull(i) ? 0.0 : column.double_at(i)));
            }
            return;
        case Physical::kString:
            EncodeStrings(column, begin, end, out, summary);
            return;
        case Physical::kDynamic:
            summary.encoding = Encoding::kDynamic;
            out.push_back(static_cast<char>(summary.encoding));
            EncodeValidity(column, begin, end, out);
            for (size_t i = begin; i < end; ++i) {
                if (!column.IsNull(i)) EncodeDynamic(column.dynamic_at(i), out);
            }
            return;
        case Physical::kNone:
            summary.encoding = Encoding::kEmpty;
            out.push_back(static_cast<char>(summary.encoding));
            out.push_back(static_cast<char>(kAllNull));
            return;
    }
}

Result<Column> DecodeBlock(core::Type type, std::string_view data, size_t rows) {
    Reader r(data);
    uint8_t enc_byte;
    std::vector<uint8_t> valid;
    if (!r.GetByte(enc_byte) || enc_byte > static_cast<uint8_t>(Encoding::kEmpty)) {
        return Bad("unknown encoding");
    }
    if (!DecodeValidity(r, rows, valid)) return Bad("truncated validity");
    const auto enc = static_cast<Encoding>(enc_byte);
    Result<Column> out = Bad("encoding does not fit the column type");
    switch (core::PhysicalOf(type)) {
        case Physical::kInt64:
            out = DecodeInts(type, enc, r, rows, std::move(valid));
            break;
        case Physical::kDouble: {
            if (enc != Encoding::kPlainReal) break;
            std::vector<double> v(rows);
            for (auto& x : v) {
                uint64_t u;
                if (!r.GetFixed64(u)) return Bad("truncated reals");
                x = std::bit_cast<double>(u);
            }
            out = Column::FromDoubles(type, std::move(v), std::move(valid));
            break;
        }
        case Physical::kString:
            out = DecodeStrings(type, enc, r, rows, std::move(valid));
            break;
        case Physical::kDynamic: {
            if (enc != Encoding::kDynamic) break;
            std::vector<core::Dynamic> v(rows);
            for (size_t i = 0; i < rows; ++i) {
                if (valid[i] && !DecodeDynamic(r, v[i])) return Bad("malformed dynamic value");
            }
            out = Column::FromDynamics(std::move(v), std::move(valid));
            break;
        }
        case Physical::kNone:
            if (enc != Encoding::kEmpty) break;
            out = Column::Nulls(type, rows);
            break;
    }
    if (out.ok() && r.remaining() != 0) return Bad("trailing bytes");
    return out;
}

}  // namespace calypso::storage
