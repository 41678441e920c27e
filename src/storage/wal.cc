#include "storage/wal.h"

#include "storage/coding.h"

namespace calypso::storage {

using core::Status;

core::Result<std::unique_ptr<WalWriter>> WalWriter::Open(core::Env* env, const std::string& path,
                                                         uint64_t existing_size) {
    ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, /*append=*/existing_size > 0));
    return std::unique_ptr<WalWriter>(new WalWriter(env, path, std::move(file), existing_size));
}

Status WalWriter::AddRecord(std::string_view record) {
    std::string out;
    out.reserve(record.size() + record.size() / kWalBlockSize * kWalHeaderSize + 64);
    uint64_t offset = offset_;
    bool first = true;
    do {
        size_t left_in_block = kWalBlockSize - offset % kWalBlockSize;
        if (left_in_block < kWalHeaderSize) {
            out.append(left_in_block, '\0');
            offset += left_in_block;
            left_in_block = kWalBlockSize;
        }
        const size_t avail = left_in_block - kWalHeaderSize;
        const size_t n = std::min(avail, record.size());
        const bool last = n == record.size();
        WalFragment type = first && last ? WalFragment::kFull
                           : first       ? WalFragment::kFirst
                           : last        ? WalFragment::kLast
                                         : WalFragment::kMiddle;
        std::string body;
        body.reserve(n + 1);
        body.push_back(static_cast<char>(type));
        body.append(record.substr(0, n));
        PutFixed32(out, Checksum32(body));
        out.push_back(static_cast<char>(n & 0xff));
        out.push_back(static_cast<char>(n >> 8));
        out.append(body);
        offset += kWalHeaderSize + n;
        record.remove_prefix(n);
        first = false;
    } while (!record.empty());
    RETURN_IF_ERROR(file_->Append(out));
    offset_ = offset;
    return Status::Ok();
}

Status WalWriter::Rollback() {
    (void)file_->Close();
    RETURN_IF_ERROR(env_->Truncate(path_, offset_));
    ASSIGN_OR_RETURN(file_, env_->NewWritableFile(path_, /*append=*/true));
    return Status::Ok();
}

Status WalWriter::Sync() { return file_->Sync(); }
Status WalWriter::Close() { return file_->Close(); }

bool WalReader::ReadFragment(WalFragment& type, std::string_view& payload) {
    for (;;) {
        const size_t left_in_block = kWalBlockSize - pos_ % kWalBlockSize;
        if (left_in_block < kWalHeaderSize) {
            if (pos_ + left_in_block > data_.size()) return false;
            pos_ += left_in_block;
            continue;
        }
        if (pos_ + kWalHeaderSize > data_.size()) {
            if (pos_ != data_.size()) damaged_ = true;
            return false;
        }
        const char* h = data_.data() + pos_;
        const uint32_t checksum = DecodeFixed32(h);
        const size_t length =
            static_cast<uint8_t>(h[4]) | (static_cast<size_t>(static_cast<uint8_t>(h[5])) << 8);
        const auto t = static_cast<uint8_t>(h[6]);
        if (checksum == 0 && length == 0 && t == 0) {
            // Zero padding written by a preallocating file system, or a torn tail.
            damaged_ = true;
            return false;
        }
        if (pos_ + kWalHeaderSize + length > data_.size() ||
            length > left_in_block - kWalHeaderSize) {
            damaged_ = true;
            return false;
        }
        std::string_view body = data_.substr(pos_ + 6, 1 + length);
        if (Checksum32(body) != checksum || t < 1 || t > 4) {
            damaged_ = true;
            return false;
        }
        type = static_cast<WalFragment>(t);
        payload = body.substr(1);
        pos_ += kWalHeaderSize + length;
        return true;
    }
}

bool WalReader::Next(std::string& record) {
    record.clear();
    bool in_record = false;
    WalFragment type;
    std::string_view payload;
    while (ReadFragment(type, payload)) {
        switch (type) {
            case WalFragment::kFull:
                if (in_record) damaged_ = true;
                record.assign(payload);
                valid_prefix_ = pos_;
                return !damaged_;
            case WalFragment::kFirst:
                if (in_record) damaged_ = true;
                record.assign(payload);
                in_record = true;
                break;
            case WalFragment::kMiddle:
                if (!in_record) damaged_ = true;
                record.append(payload);
                break;
            case WalFragment::kLast:
                if (!in_record) damaged_ = true;
                record.append(payload);
                if (damaged_) return false;
                valid_prefix_ = pos_;
                return true;
            case WalFragment::kZero:
                damaged_ = true;
                break;
        }
        if (damaged_) return false;
    }
    if (in_record) damaged_ = true;
    return false;
}

}  // namespace calypso::storage
