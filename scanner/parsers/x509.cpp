#include "scanner/parsers/x509.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <climits>
#include <ctime>
#include <memory>

namespace adpersist::parsers {

namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};

std::string upper_hex(const unsigned char* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[p[i] >> 4];
    out += kDigits[p[i] & 0xF];
  }
  return out;
}

std::string digest_hex(std::string_view bytes, const EVP_MD* md) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, md, nullptr) != 1) {
    ERR_clear_error();
    return {};
  }
  return upper_hex(out.data(), len);
}

// The most recent OpenSSL reason, then an empty queue: nothing of this parse is left for other callers.
std::string take_openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  std::string reason;
  if (code != 0) {
    if (const char* r = ERR_reason_error_string(code)) reason = r;
  }
  ERR_clear_error();
  return reason;
}

// RFC 2253/4514 text, but UTF-8 kept readable (no \XX escapes for non-ASCII); control characters and the
// RFC's special characters are still escaped, so attacker-chosen names cannot break a line of output.
std::string name_text(const X509_NAME* name) {
  if (!name) return {};
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  constexpr auto kFlags = static_cast<unsigned long>(XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  if (X509_NAME_print_ex(bio.get(), name, 0, kFlags) < 0) return {};
  char* data = nullptr;
  const long len = BIO_ctrl(bio.get(), BIO_CTRL_INFO, 0, &data);  // BIO_get_mem_data without its C cast
  if (len <= 0 || !data) return {};
  return std::string(data, static_cast<std::size_t>(len));
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

Result<TimePoint> asn1_time(const ASN1_TIME* t, const char* field) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return make_error(ErrorCode::invalid_input,
                      std::string("the certificate's ") + field + " does not decode");
  }
  const std::int64_t days =
      days_from_civil(static_cast<std::int64_t>(tm.tm_year) + 1900, static_cast<unsigned>(tm.tm_mon + 1),
                      static_cast<unsigned>(tm.tm_mday));
  const std::int64_t secs = days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
  return TimePoint(std::chrono::seconds(secs));
}

// The serial's DER content octets (a leading 00 kept when the encoder put one there, as Windows shows it).
std::string serial_hex(const ASN1_INTEGER* serial) {
  if (!serial) return {};
  unsigned char* der = nullptr;
  const int n = i2d_ASN1_INTEGER(serial, &der);
  if (n <= 2 || !der) {
    OPENSSL_free(der);
    ERR_clear_error();
    return {};
  }
  const auto size = static_cast<std::size_t>(n);
  std::size_t start = 2;  // tag, short-form length
  if (der[1] & 0x80) start = 2 + static_cast<std::size_t>(der[1] & 0x7F);
  std::string out = start < size ? upper_hex(der + start, size - start) : std::string();
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string sha1_thumbprint(std::string_view bytes) {
  return digest_hex(bytes, EVP_sha1());
}

Result<X509Info> parse_x509_der(std::string_view der) {
  if (der.empty()) return make_error(ErrorCode::invalid_input, "empty value: not a DER X.509 certificate");
  if (der.size() > static_cast<std::size_t>(LONG_MAX))
    return make_error(ErrorCode::invalid_input, "value too large for a certificate");
  ERR_clear_error();
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) {
    const auto reason = take_openssl_reason();
    return make_error(ErrorCode::invalid_input,
                      "not a DER X.509 certificate" + (reason.empty() ? std::string() : " (" + reason + ")"));
  }
  const auto used = static_cast<std::size_t>(p - begin);
  if (used != der.size()) {
    ERR_clear_error();
    return make_error(ErrorCode::invalid_input, "a DER certificate of " + std::to_string(used) +
                                                    " bytes followed by " +
                                                    std::to_string(der.size() - used) + " trailing bytes");
  }

  X509Info info;
  info.version = static_cast<int>(X509_get_version(cert.get())) + 1;
  info.subject = name_text(X509_get_subject_name(cert.get()));
  info.issuer = name_text(X509_get_issuer_name(cert.get()));
  info.self_issued = X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())) == 0;
  info.serial = serial_hex(X509_get0_serialNumber(cert.get()));
  info.sha1 = digest_hex(der, EVP_sha1());
  info.sha256 = digest_hex(der, EVP_sha256());

  auto nb = asn1_time(X509_get0_notBefore(cert.get()), "notBefore");
  if (!nb) return nb.error();
  auto na = asn1_time(X509_get0_notAfter(cert.get()), "notAfter");
  if (!na) return na.error();
  info.not_before = *nb;
  info.not_after = *na;

  // Extension flags are computed lazily and tolerate a malformed extension (EXFLAG_INVALID): the certificate
  // is still reported, without a basicConstraints verdict.
  const std::uint32_t ex = X509_get_extension_flags(cert.get());
  if ((ex & EXFLAG_BCONS) && !(ex & EXFLAG_INVALID)) info.basic_constraints_ca = (ex & EXFLAG_CA) != 0;

  if (const X509_PUBKEY* pub = X509_get_X509_PUBKEY(cert.get())) {
    ASN1_OBJECT* alg = nullptr;
    if (X509_PUBKEY_get0_param(&alg, nullptr, nullptr, nullptr, pub) == 1 && alg) {
      if (const int nid = OBJ_obj2nid(alg); nid != NID_undef) {
        if (const char* ln = OBJ_nid2ln(nid)) info.key_algorithm = ln;
      } else {
        std::array<char, 128> buf{};
        if (OBJ_obj2txt(buf.data(), static_cast<int>(buf.size()), alg, 1) > 0)
          info.key_algorithm = buf.data();
      }
    }
  }
  if (const EVP_PKEY* key = X509_get0_pubkey(cert.get())) info.key_bits = EVP_PKEY_get_bits(key);
  if (const int sig = X509_get_signature_nid(cert.get()); sig != NID_undef) {
    if (const char* ln = OBJ_nid2ln(sig)) info.signature_algorithm = ln;
  }
  ERR_clear_error();  // a key OpenSSL cannot load leaves errors behind; they are not this parse's failure
  return info;
}

}  // namespace adpersist::parsers
