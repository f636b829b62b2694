#include "policy/errno_names.h"

#include <algorithm>
#include <array>
#include <cerrno>

namespace stsh::policy {
namespace {

struct ErrnoEntry {
  std::string_view name;
  int value;
  bool alias;  // a second name for a value; never chosen by errno_name()
};

// All of Linux's <asm-generic/errno*.h> plus glibc's ENOTSUP, sorted by name (ASCII) for binary
// search. The macros, not numbers, so the table cannot drift from the C library.
constexpr ErrnoEntry kErrnos[] = {
    {"E2BIG", E2BIG, false},
    {"EACCES", EACCES, false},
    {"EADDRINUSE", EADDRINUSE, false},
    {"EADDRNOTAVAIL", EADDRNOTAVAIL, false},
    {"EADV", EADV, false},
    {"EAFNOSUPPORT", EAFNOSUPPORT, false},
    {"EAGAIN", EAGAIN, false},
    {"EALREADY", EALREADY, false},
    {"EBADE", EBADE, false},
    {"EBADF", EBADF, false},
    {"EBADFD", EBADFD, false},
    {"EBADMSG", EBADMSG, false},
    {"EBADR", EBADR, false},
    {"EBADRQC", EBADRQC, false},
    {"EBADSLT", EBADSLT, false},
    {"EBFONT", EBFONT, false},
    {"EBUSY", EBUSY, false},
    {"ECANCELED", ECANCELED, false},
    {"ECHILD", ECHILD, false},
    {"ECHRNG", ECHRNG, false},
    {"ECOMM", ECOMM, false},
    {"ECONNABORTED", ECONNABORTED, false},
    {"ECONNREFUSED", ECONNREFUSED, false},
    {"ECONNRESET", ECONNRESET, false},
    {"EDEADLK", EDEADLK, false},
    {"EDEADLOCK", EDEADLOCK, true},
    {"EDESTADDRREQ", EDESTADDRREQ, false},
    {"EDOM", EDOM, false},
    {"EDOTDOT", EDOTDOT, false},
    {"EDQUOT", EDQUOT, false},
    {"EEXIST", EEXIST, false},
    {"EFAULT", EFAULT, false},
    {"EFBIG", EFBIG, false},
    {"EHOSTDOWN", EHOSTDOWN, false},
    {"EHOSTUNREACH", EHOSTUNREACH, false},
    {"EHWPOISON", EHWPOISON, false},
    {"EIDRM", EIDRM, false},
    {"EILSEQ", EILSEQ, false},
    {"EINPROGRESS", EINPROGRESS, false},
    {"EINTR", EINTR, false},
    {"EINVAL", EINVAL, false},
    {"EIO", EIO, false},
    {"EISCONN", EISCONN, false},
    {"EISDIR", EISDIR, false},
    {"EISNAM", EISNAM, false},
    {"EKEYEXPIRED", EKEYEXPIRED, false},
    {"EKEYREJECTED", EKEYREJECTED, false},
    {"EKEYREVOKED", EKEYREVOKED, false},
    {"EL2HLT", EL2HLT, false},
    {"EL2NSYNC", EL2NSYNC, false},
    {"EL3HLT", EL3HLT, false},
    {"EL3RST", EL3RST, false},
    {"ELIBACC", ELIBACC, false},
    {"ELIBBAD", ELIBBAD, false},
    {"ELIBEXEC", ELIBEXEC, false},
    {"ELIBMAX", ELIBMAX, false},
    {"ELIBSCN", ELIBSCN, false},
    {"ELNRNG", ELNRNG, false},
    {"ELOOP", ELOOP, false},
    {"EMEDIUMTYPE", EMEDIUMTYPE, false},
    {"EMFILE", EMFILE, false},
    {"EMLINK", EMLINK, false},
    {"EMSGSIZE", EMSGSIZE, false},
    {"EMULTIHOP", EMULTIHOP, false},
    {"ENAMETOOLONG", ENAMETOOLONG, false},
    {"ENAVAIL", ENAVAIL, false},
    {"ENETDOWN", ENETDOWN, false},
    {"ENETRESET", ENETRESET, false},
    {"ENETUNREACH", ENETUNREACH, false},
    {"ENFILE", ENFILE, false},
    {"ENOANO", ENOANO, false},
    {"ENOBUFS", ENOBUFS, false},
    {"ENOCSI", ENOCSI, false},
    {"ENODATA", ENODATA, false},
    {"ENODEV", ENODEV, false},
    {"ENOENT", ENOENT, false},
    {"ENOEXEC", ENOEXEC, false},
    {"ENOKEY", ENOKEY, false},
    {"ENOLCK", ENOLCK, false},
    {"ENOLINK", ENOLINK, false},
    {"ENOMEDIUM", ENOMEDIUM, false},
    {"ENOMEM", ENOMEM, false},
    {"ENOMSG", ENOMSG, false},
    {"ENONET", ENONET, false},
    {"ENOPKG", ENOPKG, false},
    {"ENOPROTOOPT", ENOPROTOOPT, false},
    {"ENOSPC", ENOSPC, false},
    {"ENOSR", ENOSR, false},
    {"ENOSTR", ENOSTR, false},
    {"ENOSYS", ENOSYS, false},
    {"ENOTBLK", ENOTBLK, false},
    {"ENOTCONN", ENOTCONN, false},
    {"ENOTDIR", ENOTDIR, false},
    {"ENOTEMPTY", ENOTEMPTY, false},
    {"ENOTNAM", ENOTNAM, false},
    {"ENOTRECOVERABLE", ENOTRECOVERABLE, false},
    {"ENOTSOCK", ENOTSOCK, false},
    {"ENOTSUP", ENOTSUP, true},
    {"ENOTTY", ENOTTY, false},
    {"ENOTUNIQ", ENOTUNIQ, false},
    {"ENXIO", ENXIO, false},
    {"EOPNOTSUPP", EOPNOTSUPP, false},
    {"EOVERFLOW", EOVERFLOW, false},
    {"EOWNERDEAD", EOWNERDEAD, false},
    {"EPERM", EPERM, false},
    {"EPFNOSUPPORT", EPFNOSUPPORT, false},
    {"EPIPE", EPIPE, false},
    {"EPROTO", EPROTO, false},
    {"EPROTONOSUPPORT", EPROTONOSUPPORT, false},
    {"EPROTOTYPE", EPROTOTYPE, false},
    {"ERANGE", ERANGE, false},
    {"EREMCHG", EREMCHG, false},
    {"EREMOTE", EREMOTE, false},
    {"EREMOTEIO", EREMOTEIO, false},
    {"ERESTART", ERESTART, false},
    {"ERFKILL", ERFKILL, false},
    {"EROFS", EROFS, false},
    {"ESHUTDOWN", ESHUTDOWN, false},
    {"ESOCKTNOSUPPORT", ESOCKTNOSUPPORT, false},
    {"ESPIPE", ESPIPE, false},
    {"ESRCH", ESRCH, false},
    {"ESRMNT", ESRMNT, false},
    {"ESTALE", ESTALE, false},
    {"ESTRPIPE", ESTRPIPE, false},
    {"ETIME", ETIME, false},
    {"ETIMEDOUT", ETIMEDOUT, false},
    {"ETOOMANYREFS", ETOOMANYREFS, false},
    {"ETXTBSY", ETXTBSY, false},
    {"EUCLEAN", EUCLEAN, false},
    {"EUNATCH", EUNATCH, false},
    {"EUSERS", EUSERS, false},
    {"EWOULDBLOCK", EWOULDBLOCK, true},
    {"EXDEV", EXDEV, false},
    {"EXFULL", EXFULL, false},
};

constexpr bool sorted_and_unique() {
  for (size_t i = 1; i < std::size(kErrnos); ++i)
    if (!(kErrnos[i - 1].name < kErrnos[i].name)) return false;
  return true;
}
static_assert(sorted_and_unique(), "kErrnos must be sorted by name for binary search");

// errno_name() relies on exactly one primary name per value.
constexpr bool one_primary_name_per_value() {
  for (const ErrnoEntry& a : kErrnos)
    for (const ErrnoEntry& b : kErrnos)
      if (&a != &b && !a.alias && !b.alias && a.value == b.value) return false;
  return true;
}
static_assert(one_primary_name_per_value(), "two primary names for one errno value");

constexpr auto kNames = [] {
  std::array<std::string_view, std::size(kErrnos)> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kErrnos[i].name;
  return names;
}();

// Longer than any errno name; longer input cannot match, so it is rejected before copying.
constexpr size_t kMaxNameLength = 32;

}  // namespace

std::optional<int> errno_from_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return std::nullopt;
  std::array<char, kMaxNameLength> buffer{};
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buffer[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  const std::string_view upper(buffer.data(), name.size());
  const auto* it =
      std::lower_bound(std::begin(kErrnos), std::end(kErrnos), upper,
                       [](const ErrnoEntry& e, std::string_view n) { return e.name < n; });
  if (it == std::end(kErrnos) || it->name != upper) return std::nullopt;
  return it->value;
}

std::string_view errno_name(int e) {
  // A linear scan: ~130 entries, used only when rendering decisions and messages.
  for (const ErrnoEntry& entry : kErrnos)
    if (entry.value == e && !entry.alias) return entry.name;
  return {};
}

std::span<const std::string_view> all_errno_names() {
  return kNames;
}

}  // namespace stsh::policy
