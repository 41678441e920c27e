// The crash test's in-process variant: numbered records are appended through an Env that
// injects short writes and failed fsyncs at random; at a random moment the machine "loses
// power": the directory is copied with every file cut back to a random length between
// what was last fsynced and what was written, the unsynced bytes garbled. After every
// restart each acknowledged record is present exactly once and the store opens.
// CALYPSO_CRASH_CYCLES raises the number of cycles (default 40).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "storage/store.h"
#include "test_util.h"

namespace calypso::storage {
namespace {

using testing::TempDir;

// Env over the real file system that remembers, per file, how much is durable.
class CrashEnv final : public core::Env {
  public:
    explicit CrashEnv(uint64_t seed) : rng_(seed) {}

    double short_write_rate = 0;  // an append writes a prefix, then fails
    double sync_failure_rate = 0;

    // Copies `dir` to `to` as a power cut would leave it.
    void CrashCopy(const std::string& dir, const std::string& to) {
        std::lock_guard lock(mu_);
        testing::CopyDir(dir, to);
        for (const auto& [path, f] : files_) {
            if (path.compare(0, dir.size(), dir) != 0 || f.written <= f.synced) continue;
            const std::string copy = to + path.substr(dir.size());
            if (!std::filesystem::exists(copy)) continue;
            std::uniform_int_distribution<uint64_t> cut(f.synced, f.written);
            const uint64_t keep = cut(rng_);
            std::filesystem::resize_file(copy, keep);
            if (keep > f.synced && rng_() % 2 == 0) {  // the unsynced tail may be garbage
                std::fstream out(copy, std::ios::in | std::ios::out | std::ios::binary);
                out.seekp(static_cast<std::streamoff>(f.synced + (keep - f.synced) / 2));
                out.put(static_cast<char>(rng_()));
            }
        }
    }

    core::Result<std::unique_ptr<core::WritableFile>> NewWritableFile(const std::string& p,
                                                                      bool append) override {
        ASSIGN_OR_RETURN(auto f, base_->NewWritableFile(p, append));
        std::lock_guard lock(mu_);
        State& s = files_[p];
        if (!append) s = {};
        return std::unique_ptr<core::WritableFile>(new File(std::move(f), this, p));
    }
    core::Result<std::string> ReadFile(const std::string& p) override { return base_->ReadFile(p); }
    core::Result<std::string> ReadFileRange(const std::string& p, uint64_t o, size_t n) override {
        return base_->ReadFileRange(p, o, n);
    }
    core::Result<uint64_t> FileSize(const std::string& p) override { return base_->FileSize(p); }
    bool FileExists(const std::string& p) override { return base_->FileExists(p); }
    core::Result<std::vector<std::string>> ListDir(const std::string& d) override {
        return base_->ListDir(d);
    }
    core::Status CreateDirs(const std::string& d) override { return base_->CreateDirs(d); }
    core::Status RemoveFile(const std::string& p) override {
        std::lock_guard lock(mu_);
        files_.erase(p);
        return base_->RemoveFile(p);
    }
    core::Status RenameFile(const std::string& f, const std::string& t) override {
        std::lock_guard lock(mu_);
        if (auto it = files_.find(f); it != files_.end()) {
            files_[t] = it->second;
            files_.erase(f);
        }
        return base_->RenameFile(f, t);
    }
    core::Status SyncDir(const std::string& d) override { return base_->SyncDir(d); }
    core::Status Truncate(const std::string& p, uint64_t size) override {
        std::lock_guard lock(mu_);
        State& s = files_[p];
        s.written = s.synced = size;  // the store syncs after truncating
        return base_->Truncate(p, size);
    }

  private:
    struct State {
        uint64_t written = 0;
        uint64_t synced = 0;
    };
    class File final : public core::WritableFile {
      public:
        File(std::unique_ptr<core::WritableFile> f, CrashEnv* env, std::string path)
            : f_(std::move(f)), env_(env), path_(std::move(path)) {}
        core::Status Append(std::string_view d) override {
            if (env_->Roll(env_->short_write_rate)) {
                std::string_view prefix = d.substr(0, d.size() / 3);
                (void)f_->Append(prefix);
                env_->Wrote(path_, prefix.size());
                return core::Status::IOError("injected short write");
            }
            RETURN_IF_ERROR(f_->Append(d));
            env_->Wrote(path_, d.size());
            return core::Status::Ok();
        }
        core::Status Sync() override {
            if (env_->Roll(env_->sync_failure_rate)) {
                return core::Status::IOError("injected fsync failure");
            }
            RETURN_IF_ERROR(f_->Sync());
            env_->Synced(path_);
            return core::Status::Ok();
        }
        core::Status Close() override { return f_->Close(); }

      private:
        std::unique_ptr<core::WritableFile> f_;
        CrashEnv* env_;
        std::string path_;
    };

    bool Roll(double rate) {
        std::lock_guard lock(mu_);
        return std::uniform_real_distribution<double>(0, 1)(rng_) < rate;
    }
    void Wrote(const std::string& p, size_t n) {
        std::lock_guard lock(mu_);
        files_[p].written += n;
    }
    void Synced(const std::string& p) {
        std::lock_guard lock(mu_);
        files_[p].synced = files_[p].written;
    }

    core::Env* base_ = core::Env::Default();
    std::mutex mu_;
    std::mt19937_64 rng_;
    std::map<std::string, State> files_;
};

int Cycles() {
    const char* v = std::getenv("CALYPSO_CRASH_CYCLES");
    return v != nullptr ? std::max(1, std::atoi(v)) : 40;
}

// Every value of column "n" in table "t", with its count.
std::map<int64_t, int> Counts(const Store& store) {
    std::map<int64_t, int> counts;
    core::ScanRequest req{"t", {"n"}, {}};
    auto s = store.Scan(req, [&](const core::Batch& b) {
        for (size_t i = 0; i < b.num_rows(); ++i) ++counts[b.columns[0].int64_at(i)];
        return core::Status::Ok();
    });
    // Before the first acknowledged append the table may not exist yet.
    EXPECT_TRUE(s.ok() || s.code() == core::StatusCode::kNotFound) << s.ToString();
    return counts;
}

TEST(CrashEnvTest, AcknowledgedRecordsSurviveInjectedFaultsAndPowerCutsExactlyOnce) {
    std::mt19937_64 rng(20261124);
    CrashEnv env(rng());
    std::vector<std::unique_ptr<TempDir>> dirs;
    dirs.push_back(std::make_unique<TempDir>());
    std::set<int64_t> acknowledged, attempted;
    int64_t next = 0;
    int faults_seen = 0;
    for (int cycle = 0; cycle < Cycles(); ++cycle) {
        StoreOptions o;
        o.dir = dirs.back()->path();
        o.env = &env;
        o.background_flush = false;
        o.block_rows = 64;
        o.compact_min_segments = 3;
        o.default_retention_days = 36500;
        env.short_write_rate = env.sync_failure_rate = 0;  // the restart itself is clean
        auto store = Store::Open(o);
        ASSERT_TRUE(store.ok()) << "cycle " << cycle << ": " << store.status().ToString();

        auto counts = Counts(**store);
        for (int64_t id : acknowledged) {
            ASSERT_EQ(counts[id], 1) << "cycle " << cycle << ": acknowledged record " << id;
        }
        for (const auto& [id, n] : counts) {
            ASSERT_TRUE(attempted.contains(id)) << "record " << id << " was never written";
            ASSERT_EQ(n, 1) << "cycle " << cycle << ": record " << id << " duplicated";
            acknowledged.insert(id);  // visible now, so it must stay
        }

        env.short_write_rate = 0.02;
        env.sync_failure_rate = 0.02;
        const int steps = 5 + static_cast<int>(rng() % 40);
        for (int step = 0; step < steps; ++step) {
            if (rng() % 8 == 0) {
                if (!(*store)->Flush().ok()) ++faults_seen;
                continue;
            }
            const size_t rows = 1 + rng() % 20;
            std::vector<core::TableBatch> v;
            v.push_back({"t", testing::MakeBatch(next, rows)});
            for (size_t i = 0; i < rows; ++i) attempted.insert(next + static_cast<int64_t>(i));
            auto s = (*store)->Append(std::move(v));
            if (s.ok()) {
                for (size_t i = 0; i < rows; ++i) acknowledged.insert(next + static_cast<int64_t>(i));
            } else {
                ++faults_seen;
            }
            next += static_cast<int64_t>(rows);
        }
        dirs.push_back(std::make_unique<TempDir>());
        env.CrashCopy(dirs[dirs.size() - 2]->path(), dirs.back()->path());
        store->reset();  // the old directory is abandoned, as after kill -9
        dirs.erase(dirs.begin(), dirs.end() - 1);
    }
    EXPECT_GT(faults_seen, 0);  // the faults really happened
    EXPECT_GT(acknowledged.size(), 100u);
}

}  // namespace
}  // namespace calypso::storage
