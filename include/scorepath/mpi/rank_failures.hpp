/**
 * @file mpi/rank_failures.hpp
 * @brief Failures of one process seen by all: a step that may throw on some ranks and not on
 *        others ends, on every rank, either normally or with the same typed error.
 *
 * A distributed run meets collectives after each step (gathers, folds). A rank that threw and
 * left would leave the others waiting in those collectives for ever; so each step runs inside
 * agree_on_failure(), which catches what the step throws, lets every rank learn (one reduction)
 * whether any rank failed, and then has every rank throw the error of the lowest failing rank,
 * with the same type (invalid_argument_error keeps its parameter, value and requirement) and a
 * message that names that rank.
 *
 * @code
 * scorepath::mpi::agree_on_failure(MPI_COMM_WORLD, [&] { local = read_my_shard(path); });
 * @endcode
 */
#pragma once

#include "scorepath/mpi/mpi_c_api.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "scorepath/error.hpp"

namespace scorepath::mpi {

/// The kinds of failure that keep their type across ranks.
enum class failure_kind : int {
  none = 0,
  invalid_argument = 1,
  unavailable = 2,
  out_of_memory = 3,
  cuda = 4,
  curand = 5,
  other_error = 6,  ///< another scorepath::error
  other = 7,        ///< any other std::exception, or an exception of no standard type
};

/// What one rank reports of its failure: enough to rebuild the same error on every rank.
struct rank_failure {
  failure_kind kind = failure_kind::none;
  std::string parameter;    ///< invalid_argument_error only
  std::string value;        ///< invalid_argument_error only
  std::string requirement;  ///< invalid_argument_error only
  std::string message;      ///< the message without the "scorepath: " prefix and the call site
  std::string file;         ///< the call site, where one is known
  int line = 0;
};

namespace detail {

/// A file name kept for the life of the program: errors hold their call site as a `const char*`.
inline const char* lasting_file_name(const std::string& name) {
  static std::mutex guard;
  static std::set<std::string> names;
  std::lock_guard<std::mutex> lock(guard);
  return names.insert(name).first->c_str();
}

/// The message of @p e without "scorepath: " in front and " (at file:line)" behind.
inline std::string bare_message(const scorepath::error& e) {
  std::string text = e.what();
  const std::string prefix = "scorepath: ";
  if (text.compare(0, prefix.size(), prefix) == 0) text.erase(0, prefix.size());
  const std::size_t at = text.rfind(" (at ");
  if (at != std::string::npos && !text.empty() && text.back() == ')') text.erase(at);
  return text;
}

/// What the current exception is (call only inside a catch block).
inline rank_failure describe_current_exception() {
  rank_failure f;
  try {
    throw;
  } catch (const invalid_argument_error& e) {
    f = {failure_kind::invalid_argument, e.parameter(), e.value(), e.requirement(), "",
         e.file(), e.line()};
  } catch (const unavailable_error& e) {
    f = {failure_kind::unavailable, "", "", "", bare_message(e), e.file(), e.line()};
  } catch (const out_of_memory_error& e) {
    f = {failure_kind::out_of_memory, "", "", "", bare_message(e), e.file(), e.line()};
  } catch (const cuda_error& e) {
    f = {failure_kind::cuda, "", "", "", bare_message(e), e.file(), e.line()};
  } catch (const curand_error& e) {
    f = {failure_kind::curand, "", "", "", bare_message(e), e.file(), e.line()};
  } catch (const scorepath::error& e) {
    f = {failure_kind::other_error, "", "", "", bare_message(e), e.file(), e.line()};
  } catch (const std::bad_alloc&) {
    f.kind = failure_kind::out_of_memory;
    f.message = "memory could not be allocated";
  } catch (const std::exception& e) {
    f.kind = failure_kind::other;
    f.message = e.what();
    const std::string prefix = "scorepath: ";
    if (f.message.compare(0, prefix.size(), prefix) == 0) f.message.erase(0, prefix.size());
  } catch (...) {
    f.kind = failure_kind::other;
    f.message = "an exception of unknown type";
  }
  return f;
}

/// Longest text a failure carries to the other ranks (a longer one is cut there).
inline constexpr std::size_t failure_text_limit = 1 << 16;

/// Sends @p text from @p root to every rank of @p comm, cut to failure_text_limit characters.
inline void broadcast_text(MPI_Comm comm, int root, std::string& text) {
  int size = static_cast<int>(std::min(text.size(), failure_text_limit));
  MPI_Bcast(&size, 1, MPI_INT, root, comm);
  text.resize(static_cast<std::size_t>(size));
  if (size > 0) MPI_Bcast(text.data(), size, MPI_CHAR, root, comm);
}

/// Throws on this rank the error @p f that rank @p rank of @p ranks reported.
[[noreturn]] inline void throw_rank_failure(const rank_failure& f, int rank, int ranks) {
  const std::string where = " (rank " + std::to_string(rank) + " of " + std::to_string(ranks) + ")";
  // An error already agreed on (a collective inside a step) names its rank once.
  const std::string tag = " of " + std::to_string(ranks) + ")";
  auto named = [&](const std::string& text) {
    const bool has = text.size() >= tag.size() &&
                     text.compare(text.size() - tag.size(), tag.size(), tag) == 0 &&
                     text.rfind(" (rank ") != std::string::npos;
    return has ? text : text + where;
  };
  const char* file = lasting_file_name(f.file.empty() ? std::string(__FILE__) : f.file);
  const int line = f.file.empty() ? __LINE__ : f.line;
  const std::string message = named(f.message);
  switch (f.kind) {
    case failure_kind::invalid_argument:
      throw invalid_argument_error(f.parameter, f.value, named(f.requirement), file, line);
    case failure_kind::unavailable: throw unavailable_error(message, file, line);
    case failure_kind::out_of_memory: throw out_of_memory_error(message, file, line);
    case failure_kind::cuda: throw cuda_error(message, file, line);
    case failure_kind::curand: throw curand_error(message, file, line);
    default: throw scorepath::error(message, file, line);
  }
}

}  // namespace detail

/**
 * @brief Runs @p step on this rank; if it threw on any rank of @p comm, throws on every rank the
 *        error of the lowest rank that failed (same type, its message naming that rank).
 *
 * Every rank of @p comm must call it, the same number of times and in the same order, as with any
 * collective. The cost when nothing fails is one reduction of an int. A step may itself call
 * collectives on @p comm (a distributed engine) only where no rank can throw before reaching
 * them: a rank that left the step early would not meet the others there.
 * @throw invalid_argument_error, unavailable_error, out_of_memory_error (also for std::bad_alloc),
 *        cuda_error, curand_error, or scorepath::error for any other failure
 */
template <class Step>
void agree_on_failure(MPI_Comm comm, Step&& step) {
  int rank = 0, ranks = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &ranks);
  rank_failure mine;
  try {
    step();
  } catch (...) {
    mine = detail::describe_current_exception();
  }
  const int candidate = mine.kind == failure_kind::none ? ranks : rank;
  int first = ranks;
  MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == ranks) return;
  int kind = static_cast<int>(mine.kind);
  int line = mine.line;
  MPI_Bcast(&kind, 1, MPI_INT, first, comm);
  MPI_Bcast(&line, 1, MPI_INT, first, comm);
  rank_failure agreed;
  agreed.kind = static_cast<failure_kind>(kind);
  agreed.line = line;
  std::string* fields[] = {&mine.parameter, &mine.value, &mine.requirement, &mine.message,
                           &mine.file};
  std::string* into[] = {&agreed.parameter, &agreed.value, &agreed.requirement, &agreed.message,
                         &agreed.file};
  for (int k = 0; k < 5; ++k) {
    std::string text = rank == first ? *fields[k] : std::string();
    detail::broadcast_text(comm, first, text);
    *into[k] = std::move(text);
  }
  detail::throw_rank_failure(agreed, first, ranks);
}

/// A size or count the ranks must agree on, with its name for the error.
struct shared_value {
  std::uint64_t value;
  const char* name;
};

/**
 * @brief Ends with the same invalid_argument_error on every rank of @p comm, naming the first of
 *        @p values whose value differs between ranks; one reduction for all of them.
 */
inline void require_same_on_every_rank(MPI_Comm comm,
                                       std::initializer_list<shared_value> values) {
  // The largest of v and of ~v (that is, the smallest v) in one MPI_MAX reduction.
  std::vector<std::uint64_t> mine, all(2 * values.size());
  for (const shared_value& v : values) mine.push_back(v.value);
  for (const shared_value& v : values) mine.push_back(~v.value);
  MPI_Allreduce(mine.data(), all.data(), static_cast<int>(all.size()), MPI_UINT64_T, MPI_MAX,
                comm);
  std::size_t k = 0;
  for (const shared_value& v : values) {
    const std::uint64_t high = all[k], low = ~all[values.size() + k];
    SCOREPATH_EXPECTS(low == high, v.name, low,
                      "must be the same on every rank (" + std::to_string(high) + " on another)");
    ++k;
  }
}

}  // namespace scorepath::mpi
