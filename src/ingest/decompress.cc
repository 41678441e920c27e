#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <string>

#include "ingest/appinsights.h"

namespace calypso::ingest {
namespace {

using core::Result;
using core::Status;

bool IsGzip(std::string_view body) {
    return body.size() >= 2 && static_cast<unsigned char>(body[0]) == 0x1f &&
           static_cast<unsigned char>(body[1]) == 0x8b;
}

std::string Lower(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        if (c == ' ' || c == '\t') continue;
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
}

// Inflates `body` with the given zlib window bits. gzip allows several concatenated members;
// each is inflated in turn.
Result<std::string> Inflate(std::string_view body, int window_bits, size_t max_bytes,
                            const char* what) {
    z_stream zs{};
    if (inflateInit2(&zs, window_bits) != Z_OK) return Status::Internal("inflateInit2 failed");
    // One byte past the limit is room enough to detect that the limit was crossed.
    const size_t cap = max_bytes < SIZE_MAX ? max_bytes + 1 : max_bytes;
    std::string out;
    out.resize(std::min<size_t>(std::max<size_t>(body.size() * 4, 4096), cap));
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    zs.avail_in = static_cast<uInt>(body.size());
    size_t produced = 0;
    Status status;
    while (true) {
        if (produced == out.size()) {
            if (out.size() > max_bytes) {
                status =
                    Status::LimitExceeded(std::string("decompressed ") + what + " body exceeds " +
                                          std::to_string(max_bytes) + " bytes");
                break;
            }
            out.resize(std::min(out.size() * 2, cap));
        }
        size_t room = std::min<size_t>(out.size() - produced, 1u << 30);
        zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        zs.avail_out = static_cast<uInt>(room);
        int rc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        if (rc == Z_STREAM_END) {
            // Another gzip member may follow; trailing zero padding is tolerated.
            if (zs.avail_in > 0 && window_bits > MAX_WBITS && zs.next_in[0] == 0x1f) {
                if (inflateReset(&zs) != Z_OK) {
                    status = Status::Internal("inflateReset failed");
                    break;
                }
                continue;
            }
            break;
        }
        if (rc == Z_OK) continue;
        if (rc == Z_BUF_ERROR && zs.avail_out != 0) {
            status = Status::InvalidArgument(std::string("truncated ") + what + " body after " +
                                             std::to_string(zs.total_in) + " input bytes");
            break;
        }
        if (rc == Z_BUF_ERROR) continue;
        status = Status::InvalidArgument(std::string("corrupt ") + what + " body at input byte " +
                                         std::to_string(zs.total_in) + ": " +
                                         (zs.msg ? zs.msg : "inflate error"));
        break;
    }
    inflateEnd(&zs);
    if (!status.ok()) return status;
    if (produced > max_bytes) {
        return Status::LimitExceeded(std::string("decompressed ") + what + " body exceeds " +
                                     std::to_string(max_bytes) + " bytes");
    }
    out.resize(produced);
    return out;
}

}  // namespace

Result<std::string> Decompress(std::string_view body, std::string_view content_encoding,
                               size_t max_bytes) {
    std::string enc = Lower(content_encoding);
    if (enc == "gzip" || enc == "x-gzip" || IsGzip(body)) {
        return Inflate(body, MAX_WBITS + 16, max_bytes, "gzip");
    }
    if (enc == "deflate") {
        // HTTP "deflate" is zlib-wrapped, but some senders use raw deflate.
        bool zlib_header =
            body.size() >= 2 && (static_cast<unsigned char>(body[0]) & 0x0f) == 8 &&
            ((static_cast<unsigned char>(body[0]) << 8) | static_cast<unsigned char>(body[1])) %
                    31 ==
                0;
        return Inflate(body, zlib_header ? MAX_WBITS : -MAX_WBITS, max_bytes, "deflate");
    }
    if (enc.empty() || enc == "identity") {
        if (body.size() > max_bytes) {
            return Status::LimitExceeded("body exceeds " + std::to_string(max_bytes) + " bytes");
        }
        return std::string(body);
    }
    return Status::InvalidArgument("unsupported Content-Encoding '" +
                                   std::string(content_encoding) + "'");
}

Result<BodyBytes> DecompressBody(const std::string& body, std::string_view content_encoding,
                                 size_t max_bytes, std::string& storage) {
    const std::string enc = Lower(content_encoding);
    if ((enc.empty() || enc == "identity") && !IsGzip(body)) {
        if (body.size() > max_bytes) {
            return Status::LimitExceeded("body exceeds " + std::to_string(max_bytes) + " bytes");
        }
        return BodyBytes{body, body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING};
    }
    auto inflated = Decompress(body, content_encoding, max_bytes);
    if (!inflated.ok()) return inflated.status();
    storage = std::move(inflated).value();
    storage.reserve(storage.size() + simdjson::SIMDJSON_PADDING);
    return BodyBytes{storage, true};
}

}  // namespace calypso::ingest
