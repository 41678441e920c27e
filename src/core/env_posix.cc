#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/env.h"

namespace calypso::core {
namespace {

Status PosixError(const std::string& what, const std::string& path, int err) {
    // A full disk is temporary: callers answer "try later" and recover when space returns.
    if (err == ENOSPC || err == EDQUOT) {
        return Status::Unavailable("disk full: " + what + " '" + path + "': " + std::strerror(err));
    }
    return Status::IOError(what + " '" + path + "': " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
  public:
    PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    ~PosixWritableFile() override {
        if (fd_ >= 0) ::close(fd_);
    }

    Status Append(std::string_view data) override {
        while (!data.empty()) {
            ssize_t n = ::write(fd_, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR) continue;
                return PosixError("write", path_, errno);
            }
            data.remove_prefix(static_cast<size_t>(n));
        }
        return Status::Ok();
    }
    Status Sync() override {
        if (::fdatasync(fd_) != 0) return PosixError("fdatasync", path_, errno);
        return Status::Ok();
    }
    Status Close() override {
        int fd = fd_;
        fd_ = -1;
        if (fd >= 0 && ::close(fd) != 0) return PosixError("close", path_, errno);
        return Status::Ok();
    }

  private:
    std::string path_;
    int fd_;
};

class PosixEnv final : public Env {
  public:
    Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                          bool append) override {
        int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
        int fd = ::open(path.c_str(), flags, 0644);
        if (fd < 0) return PosixError("open", path, errno);
        return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
    }

    Result<std::string> ReadFile(const std::string& path) override {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) return Status::NotFound("no such file '" + path + "'");
            return PosixError("open", path, errno);
        }
        std::string out;
        char buf[1 << 16];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                ::close(fd);
                return PosixError("read", path, err);
            }
            if (n == 0) break;
            out.append(buf, static_cast<size_t>(n));
        }
        ::close(fd);
        return out;
    }

    Result<std::string> ReadFileRange(const std::string& path, uint64_t offset, size_t n) override {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) return Status::NotFound("no such file '" + path + "'");
            return PosixError("open", path, errno);
        }
        std::string out(n, '\0');
        size_t done = 0;
        while (done < n) {
            ssize_t r = ::pread(fd, out.data() + done, n - done, static_cast<off_t>(offset + done));
            if (r < 0) {
                if (errno == EINTR) continue;
                int err = errno;
                ::close(fd);
                return PosixError("read", path, err);
            }
            if (r == 0) break;
            done += static_cast<size_t>(r);
        }
        ::close(fd);
        if (done != n) {
            return Status::Corruption("file '" + path + "' ends before byte " +
                                      std::to_string(offset + n));
        }
        return out;
    }

    Result<uint64_t> FileSize(const std::string& path) override {
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
            if (errno == ENOENT) return Status::NotFound("no such file '" + path + "'");
            return PosixError("stat", path, errno);
        }
        return static_cast<uint64_t>(st.st_size);
    }

    bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

    Result<std::vector<std::string>> ListDir(const std::string& dir) override {
        DIR* d = ::opendir(dir.c_str());
        if (d == nullptr) return PosixError("opendir", dir, errno);
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name != "." && name != "..") names.push_back(std::move(name));
        }
        ::closedir(d);
        return names;
    }

    Status CreateDirs(const std::string& dir) override {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return Status::IOError("create directory '" + dir + "': " + ec.message());
        return Status::Ok();
    }

    Status RemoveFile(const std::string& path) override {
        if (::unlink(path.c_str()) != 0) return PosixError("unlink", path, errno);
        return Status::Ok();
    }

    Status RenameFile(const std::string& from, const std::string& to) override {
        if (::rename(from.c_str(), to.c_str()) != 0) return PosixError("rename", from, errno);
        return Status::Ok();
    }

    Status SyncDir(const std::string& dir) override {
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) return PosixError("open directory", dir, errno);
        int rc = ::fsync(fd);
        int err = errno;
        ::close(fd);
        if (rc != 0) return PosixError("fsync directory", dir, err);
        return Status::Ok();
    }

    Status Truncate(const std::string& path, uint64_t size) override {
        if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
            return PosixError("truncate", path, errno);
        }
        return Status::Ok();
    }
};

}  // namespace

Env* Env::Default() {
    static PosixEnv* env = new PosixEnv();
    return env;
}

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data) {
    const std::string tmp = path + ".tmp";
    {
        ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp));
        RETURN_IF_ERROR(file->Append(data));
        RETURN_IF_ERROR(file->Sync());
        RETURN_IF_ERROR(file->Close());
    }
    RETURN_IF_ERROR(env->RenameFile(tmp, path));
    auto slash = path.find_last_of('/');
    return env->SyncDir(slash == std::string::npos ? "." : path.substr(0, slash));
}

}  // namespace calypso::core
