#include "output_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <streambuf>

#include "processes.hpp"
#include "scorepath/error.hpp"

namespace scorepath::cli {
namespace {

/// Where the text of a rank that does not write goes.
std::streambuf& discarded_text() {
  struct nothing : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
  };
  static nothing sink;
  return sink;
}

namespace fs = std::filesystem;

// ---- temporaries the signal handler removes ----------------------------------------------------

/// A temporary's path, readable from a signal handler once `used` is set.
struct temporary_slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX] = {};
};
constexpr int temporary_slots = 16;
temporary_slot temporaries[temporary_slots];

/// Records @p path for the signal handler; -1 when every slot is taken (not expected: the tool
/// writes at most four outputs at once).
int remember_temporary(const std::string& path) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < temporary_slots; ++i) {
    bool expected = false;
    if (temporaries[i].used.load()) continue;
    std::memcpy(temporaries[i].path, path.c_str(), path.size() + 1);
    if (temporaries[i].used.compare_exchange_strong(expected, true)) return i;
  }
  return -1;
}

void forget_temporary(int slot) {
  if (slot >= 0) temporaries[slot].used.store(false);
}

/// Holds SIGINT, SIGTERM and SIGHUP back from this thread while it lives.
class cleanup_signals_held {
 public:
  cleanup_signals_held() {
    sigset_t held;
    sigemptyset(&held);
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&held, sig);
    ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
  }
  ~cleanup_signals_held() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  cleanup_signals_held(const cleanup_signals_held&) = delete;
  cleanup_signals_held& operator=(const cleanup_signals_held&) = delete;

 private:
  sigset_t previous_;
};

extern "C" void remove_temporaries_and_die(int sig) {
  for (temporary_slot& t : temporaries) {
    if (t.used.load()) ::unlink(t.path);
  }
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);  // only if the signal did not end the process
}

// ---- destinations ------------------------------------------------------------------------------

std::string reason(int err) { return std::strerror(err); }

[[noreturn]] void refuse(const std::string& option, const std::string& path,
                         const std::string& requirement) {
  throw invalid_argument_error(option, path, requirement, __FILE__, __LINE__);
}

/// Where an output goes: a regular file (written through a temporary) or a device or pipe.
struct destination {
  std::string path;        ///< the regular file, symbolic links resolved; or the path as given
  bool direct = false;     ///< a device, pipe or socket: written in place
  bool exists = false;
  mode_t mode = 0;         ///< permissions of the existing regular file
};

/// Classifies @p path. @throw invalid_argument_error naming @p option for a directory or a path
/// that cannot be examined
destination examine(const std::string& option, const std::string& path) {
  destination d;
  d.path = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err != ENOENT) refuse(option, path, "cannot be written: " + reason(err));
    return d;
  }
  d.exists = true;
  if (S_ISDIR(st.st_mode)) refuse(option, path, "is a directory; give a file name");
  if (!S_ISREG(st.st_mode)) {
    d.direct = true;
    return d;
  }
  d.mode = st.st_mode & 07777;
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) != nullptr) d.path = resolved;
  return d;
}

std::string directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

/// A unique temporary in the directory of @p path: its descriptor and name, or errno.
struct temporary {
  int fd = -1;
  std::string path;
  int error = 0;
};

temporary create_temporary(const std::string& path) {
  std::string base = fs::path(path).filename().string();
  if (base.size() > 200) base.resize(200);  // keep the name within NAME_MAX
  temporary t;
  t.path = (fs::path(directory_of(path)) / ("." + base + ".tmp.XXXXXX")).string();
  t.fd = ::mkostemp(t.path.data(), O_CLOEXEC);
  if (t.fd < 0) t.error = errno;
  return t;
}

/// The file's device and inode, when it exists.
std::optional<std::pair<dev_t, ino_t>> identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(st.st_dev, st.st_ino);
}

bool is_regular_or_absent(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode);
}

/// @p path made absolute, with its existing part's links resolved and the rest normalised.
std::string normalised(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  return p.string();
}

/// Whether @p a and @p b name one file that writing one of them would clobber.
bool same_file(const std::string& a, const std::string& b) {
  if (!is_regular_or_absent(a) || !is_regular_or_absent(b)) return false;  // /dev/null twice
  const auto ia = identity(a);
  const auto ib = identity(b);
  if (ia || ib) return ia && ib && *ia == *ib;
  return normalised(a) == normalised(b);
}

void check_writable(const option_path& out) {
  const destination d = examine(out.option, out.path);
  if (d.direct) {
    if (::access(d.path.c_str(), W_OK) != 0) {
      refuse(out.option, out.path, "cannot be written: " + reason(errno));
    }
    return;
  }
  const std::string dir = directory_of(d.path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    refuse(out.option, out.path,
           "cannot be written: directory '" + dir + "': " + reason(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    refuse(out.option, out.path, "cannot be written: '" + dir + "' is not a directory");
  }
  if (d.exists && ::access(d.path.c_str(), W_OK) != 0) {
    refuse(out.option, out.path, "cannot be written: " + reason(errno));
  }
  temporary t;
  {
    const cleanup_signals_held held;  // the probe never outlives a signal
    t = create_temporary(d.path);
    if (t.fd >= 0) {
      ::close(t.fd);
      ::unlink(t.path.c_str());
    }
  }
  if (t.fd < 0) {
    refuse(out.option, out.path,
           "cannot be written: no file can be created in '" + dir + "': " + reason(t.error));
  }
}

// ---- the checked stream ------------------------------------------------------------------------

/// A stream buffer onto a file descriptor that checks every write and keeps the first error.
class checked_fd_buffer : public std::streambuf {
 public:
  explicit checked_fd_buffer(int fd) : fd_(fd), buffer_(1 << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  /// errno of the first failed write; 0 when every write succeeded.
  int error() const { return error_; }
  /// Writes what is buffered. @return whether everything written so far reached the file
  bool drain() {
    const char* p = pbase();
    std::size_t left = static_cast<std::size_t>(pptr() - pbase());
    while (left > 0 && error_ == 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        error_ = errno;
      } else if (n == 0) {
        error_ = EIO;
      } else {
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

/// The checks of check_output_paths on the rank that writes.
void check_paths(const std::vector<option_path>& outputs, const std::vector<option_path>& inputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const option_path& out = outputs[i];
    if (out.path.empty()) continue;
    for (const option_path& in : inputs) {
      if (!in.path.empty() && same_file(out.path, in.path)) {
        refuse(out.option, out.path, "is the file " + in.option + " reads; give another path");
      }
    }
    for (std::size_t k = 0; k < i; ++k) {
      if (!outputs[k].path.empty() && same_file(out.path, outputs[k].path)) {
        refuse(out.option, out.path,
               "is the file " + outputs[k].option + " writes too; give each output its own path");
      }
    }
    check_writable(out);
  }
}
}  // namespace

void check_output_paths(const std::vector<option_path>& outputs,
                        const std::vector<option_path>& inputs) {
  // Only the rank that writes checks (the others' checks could race on the same temporaries);
  // every rank then learns whether all passed theirs.
  if (processes().writes_outputs()) check_paths(outputs, inputs);
  checks_passed();
}

struct output_file::state {
  bool discarding = false;  ///< a rank that does not write: the text goes nowhere
  std::string option;
  std::string given;  ///< the path as given, for messages
  destination target;
  temporary file;
  int slot = -1;
  bool finished = false;
  bool published = false;
  std::unique_ptr<checked_fd_buffer> buffer;
  std::unique_ptr<std::ostream> stream;

  [[noreturn]] void fail(const std::string& what, int err) {
    discard();
    throw std::runtime_error("scorepath: cannot write " + option + " '" + given + "': " +
                             what + reason(err));
  }
  void discard() {
    if (file.fd >= 0) ::close(file.fd);
    file.fd = -1;
    if (!target.direct && !published) ::unlink(file.path.c_str());
    forget_temporary(slot);
    slot = -1;
  }
};

output_file::output_file(std::string option, std::string path) : state_(std::make_unique<state>()) {
  state& s = *state_;
  s.option = std::move(option);
  s.given = path;
  if (!processes().writes_outputs()) {
    s.discarding = true;
    s.published = true;
    s.stream = std::make_unique<std::ostream>(&discarded_text());
    return;
  }
  try {
    s.target = examine(s.option, path);
  } catch (const invalid_argument_error& e) {
    throw std::runtime_error(e.what());
  }
  if (s.target.direct) {
    s.file.path = s.target.path;
    s.file.fd = ::open(s.file.path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (s.file.fd < 0) {
      const int err = errno;
      throw std::runtime_error("scorepath: cannot write " + s.option + " '" + path +
                               "': " + reason(err));
    }
  } else {
    {
      const cleanup_signals_held held;  // until the temporary is recorded for the handler
      s.file = create_temporary(s.target.path);
      if (s.file.fd >= 0) s.slot = remember_temporary(s.file.path);
    }
    if (s.file.fd < 0) {
      throw std::runtime_error("scorepath: cannot write " + s.option + " '" + path +
                               "': cannot create a temporary file in its directory: " +
                               reason(s.file.error));
    }
    mode_t mode = s.target.mode;
    if (!s.target.exists) {
      const mode_t mask = ::umask(0);
      ::umask(mask);
      mode = 0666 & ~mask;
    }
    if (::fchmod(s.file.fd, mode) != 0) s.fail("cannot set permissions: ", errno);
  }
  try {
    s.buffer = std::make_unique<checked_fd_buffer>(s.file.fd);
    s.stream = std::make_unique<std::ostream>(s.buffer.get());
  } catch (...) {
    s.discard();  // the destructor does not run for a constructor that throws
    throw;
  }
}

output_file::~output_file() {
  if (state_ && !state_->published) state_->discard();
}

std::ostream& output_file::stream() { return *state_->stream; }

void output_file::finish() {
  state& s = *state_;
  if (s.finished) return;
  if (s.discarding) {
    s.finished = s.published = true;
    return;
  }
  s.stream->flush();
  s.buffer->drain();
  if (s.buffer->error() != 0) s.fail("", s.buffer->error());
  if (!*s.stream) s.fail("", EIO);
  if (!s.target.direct && ::fsync(s.file.fd) != 0) s.fail("", errno);
  const int fd = s.file.fd;
  s.file.fd = -1;
  if (::close(fd) != 0) s.fail("", errno);
  s.finished = true;
}

void output_file::publish() {
  state& s = *state_;
  finish();
  if (s.published) return;
  if (!s.target.direct && ::rename(s.file.path.c_str(), s.target.path.c_str()) != 0) {
    s.fail("cannot rename the temporary onto it: ", errno);
  }
  s.published = true;
  forget_temporary(s.slot);
  s.slot = -1;
}

void output_file::commit() {
  finish();
  publish();
}

void remove_temporaries_on_signals() {
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = remove_temporaries_and_die;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    ::sigaction(sig, &action, nullptr);
  }
}

}  // namespace scorepath::cli
