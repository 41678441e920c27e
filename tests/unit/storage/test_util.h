#pragma once

#include <filesystem>
#include <random>
#include <string>

#include "core/column.h"
#include "storage/segment.h"

namespace calypso::storage::testing {

// A fresh empty directory under the system temp dir, removed on destruction.
class TempDir {
  public:
    TempDir() {
        std::random_device rd;
        path_ = (std::filesystem::temp_directory_path() / ("calypso-test-" + std::to_string(rd())))
                    .string();
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// Copies the directory `from` as it is on disk now into a new TempDir: what a restart
// after kill -9 would find (acknowledged data is fsynced, so it is in the files).
inline void CopyDir(const std::string& from, const std::string& to) {
    std::filesystem::remove_all(to);
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// Number of segment files in DIR/segments that hold rows of `table`.
inline size_t SegmentFilesOf(const std::string& dir, const std::string& table) {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir + "/segments")) {
        auto reader = SegmentReader::Open(core::Env::Default(), e.path());
        n += reader.ok() && (*reader)->info().table == table;
    }
    return n;
}

// A small traces-like batch: timestamp, message, n, props.
inline core::Batch MakeBatch(int64_t first, size_t rows) {
    core::Schema schema{{{"timestamp", core::Type::kDatetime},
                         {"message", core::Type::kString},
                         {"n", core::Type::kLong},
                         {"props", core::Type::kDynamic}}};
    core::Batch b = core::Batch::Empty(schema);
    for (size_t i = 0; i < rows; ++i) {
        const int64_t n = first + static_cast<int64_t>(i);
        b.columns[0].AppendInt64(1'700'000'000LL * 10'000'000 + n * 10'000'000);
        b.columns[1].AppendString("message " + std::to_string(n));
        b.columns[2].AppendInt64(n);
        b.columns[3].AppendDynamic(core::Dynamic::MakeObject({{"k", core::Dynamic::Long(n)}}));
    }
    return b;
}

}  // namespace calypso::storage::testing
